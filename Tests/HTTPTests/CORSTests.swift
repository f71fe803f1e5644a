import Testing

@testable import HTTP

@Suite struct CORSTests {
    typealias F = RoutingFixtures
    static let backoffice = "https://backoffice.example.com"

    private func router(_ origins: [String] = [backoffice]) -> Router {
        let router = Router(cors: CORSPolicy(allowedOrigins: origins), logger: F.CapturedLog().logger())
        router.add(.GET, "/v1/conversations/{id}") { F.echo($0) }
        router.add(.POST, "/v1/conversations/{id}/messages") { F.echo($0) }
        router.add(.GET, "/v1/stream") { F.echo($0) }
        return router
    }

    private func preflight(_ router: Router, _ path: String, origin: String = backoffice) async -> HTTPResponse {
        await router.handler(F.request(.OPTIONS, path, headers: [
            ("Origin", origin), ("Access-Control-Request-Method", "POST"),
            ("Access-Control-Request-Headers", "authorization, content-type"),
        ]))
    }

    @Test func preflightFromAnAllowedOriginGets204WithThePathsMethods() async {
        let response = await preflight(router(), "/v1/conversations/7c0e/messages")
        #expect(response.status == 204)
        #expect(response.headers["Access-Control-Allow-Origin"] == Self.backoffice)
        #expect(response.headers["Access-Control-Allow-Methods"] == "POST, OPTIONS")
        #expect(response.headers["Access-Control-Allow-Headers"] == "Authorization, Content-Type, Last-Event-ID, X-Request-Id")
        #expect(response.headers["Access-Control-Max-Age"] == "600")
        #expect(response.headers["Vary"] == "Origin")
        #expect(response.headers["X-Request-Id"] != nil)
    }

    @Test func preflightForAGetRouteOffersHead() async {
        #expect((await preflight(router(), "/v1/stream")).headers["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS")
    }

    @Test func preflightFromAnotherOriginIs403WithoutCORSHeaders() async {
        let response = await preflight(router(), "/v1/stream", origin: "https://evil.example.net")
        #expect(response.status == 403)
        #expect(F.text(response).contains(#""code":"forbidden""#))
        #expect(response.headers["Access-Control-Allow-Origin"] == nil)
        #expect(response.headers["Access-Control-Allow-Methods"] == nil)
        #expect(response.headers["Vary"] == "Origin")
    }

    @Test func preflightWhenCORSIsOffIs403() async {
        let response = await preflight(router([]), "/v1/stream")
        #expect(response.status == 403)
        #expect(response.headers["Access-Control-Allow-Origin"] == nil)
        #expect(response.headers["Vary"] == nil)
    }

    @Test func preflightToAnUnknownPathIs404() async {
        #expect((await preflight(router(), "/v1/nowhere")).status == 404)
    }

    @Test func simpleRequestFromAnAllowedOriginIsTagged() async {
        let response = await router().handler(F.request(.GET, "/v1/conversations/1", headers: [("Origin", Self.backoffice)]))
        #expect(response.status == 200)
        #expect(response.headers["Access-Control-Allow-Origin"] == Self.backoffice)
        #expect(response.headers["Access-Control-Expose-Headers"] == "X-Request-Id, Retry-After")
        #expect(response.headers["Vary"] == "Origin")
    }

    @Test func errorResponsesCarryCORSHeadersTooSoTheBrowserCanReadThem() async {
        let response = await router().handler(F.request(.GET, "/nowhere", headers: [("Origin", Self.backoffice)]))
        #expect(response.status == 404)
        #expect(response.headers["Access-Control-Allow-Origin"] == Self.backoffice)
    }

    @Test func requestsFromOtherOriginsAreServedWithoutCORSHeaders() async {
        let response = await router().handler(F.request(.GET, "/v1/conversations/1", headers: [("Origin", "https://evil.example.net")]))
        #expect(response.status == 200)
        #expect(response.headers["Access-Control-Allow-Origin"] == nil)
        #expect(response.headers["Vary"] == "Origin")
        let noOrigin = await router().handler(F.request(.GET, "/v1/conversations/1"))
        #expect(noOrigin.headers["Access-Control-Allow-Origin"] == nil)
    }

    @Test func originsCompareCaseInsensitivelyAndIgnoreATrailingSlashInConfiguration() {
        let policy = CORSPolicy(allowedOrigins: [" HTTPS://Backoffice.Example.com/ "])
        #expect(policy.allows(origin: "https://backoffice.example.com"))
        #expect(!policy.allows(origin: "https://backoffice.example.com.evil.net"))
        #expect(!policy.allows(origin: "http://backoffice.example.com"))
    }

    @Test func wildcardAllowsAnyOriginAndEchoesIt() async {
        let response = await router(["*"]).handler(F.request(.GET, "/v1/conversations/1", headers: [("Origin", "http://localhost:3000")]))
        #expect(response.headers["Access-Control-Allow-Origin"] == "http://localhost:3000")
    }

    @Test func environmentListIsCommaSeparated() throws {
        let policy = try CORSPolicy.fromEnvironment(["CHAT_CORS_ORIGINS": "https://a.example.com, http://localhost:3000,http://[::1]:8080"])
        #expect(policy.allowedOrigins == ["https://a.example.com", "http://localhost:3000", "http://[::1]:8080"])
        #expect(try !CORSPolicy.fromEnvironment([:]).isEnabled)
        #expect(try !CORSPolicy.fromEnvironment(["CHAT_CORS_ORIGINS": " "]).isEnabled)
    }

    @Test(arguments: ["backoffice.example.com", "https://a.example.com/app", "ftp://a.example.com", "https://", "https://a:99999", "https://u@a.com"])
    func environmentRejectsEntriesThatAreNotOrigins(entry: String) {
        #expect(throws: EnvironmentSettingError.self) {
            try CORSPolicy.fromEnvironment(["CHAT_CORS_ORIGINS": "https://ok.example.com,\(entry)"])
        }
    }
}
