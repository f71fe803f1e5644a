import Synchronization
import Testing

@testable import HTTP

@Suite struct RouterTests {
    typealias F = RoutingFixtures

    /// The chat API's shapes: literals beside parameters at the same depth, nested parameters.
    private func chatRouter(log: F.CapturedLog = .init(), metrics: MetricsRegistry? = nil) -> Router {
        let router = Router(logger: log.logger(), metrics: metrics)
        router.add(.GET, "/v1/me") { F.echo($0) }
        router.add(.GET, "/v1/conversations") { F.echo($0) }
        router.add(.POST, "/v1/conversations/direct") { F.echo($0) }
        router.add(.POST, "/v1/conversations/circle") { F.echo($0) }
        router.add(.GET, "/v1/conversations/{id}") { F.echo($0) }
        router.add(.PATCH, "/v1/conversations/{id}") { F.echo($0) }
        router.add(.GET, "/v1/conversations/{id}/messages") { F.echo($0) }
        router.add(.POST, "/v1/conversations/{id}/messages", bodyLimit: 65_536) { F.echo($0) }
        router.add(.PUT, "/v1/circles/{circle_id}/members/{user_id}") { F.echo($0) }
        router.add(.DELETE, "/v1/circles/{circle_id}/members/{user_id}") { F.echo($0) }
        router.add(.PUT, "/v1/circles/{circle_id}/members") { F.echo($0) }
        router.add(.GET, "/v1/users/{user_id}") { F.echo($0) }
        router.add(.GET, "/v1/users/me/settings") { F.echo($0) }
        return router
    }

    private func call(_ router: Router, _ method: HTTPMethod, _ target: String, headers: [(String, String)] = []) async -> HTTPResponse {
        await router.handler(F.request(method, target, headers: headers))
    }

    @Test(arguments: [
        ("GET", "/v1/me", "/v1/me"),
        ("GET", "/v1/conversations", "/v1/conversations"),
        ("POST", "/v1/conversations/direct", "/v1/conversations/direct"),
        ("GET", "/v1/conversations/7c0e", "/v1/conversations/{id} id=7c0e"),
        ("PATCH", "/v1/conversations/7c0e", "/v1/conversations/{id} id=7c0e"),
        ("GET", "/v1/conversations/7c0e/messages", "/v1/conversations/{id}/messages id=7c0e"),
        ("GET", "/v1/conversations/direct/messages", "/v1/conversations/{id}/messages id=direct"),
        ("PUT", "/v1/circles/c1/members/u2", "/v1/circles/{circle_id}/members/{user_id} circle_id=c1 user_id=u2"),
        ("PUT", "/v1/circles/c1/members", "/v1/circles/{circle_id}/members circle_id=c1"),
        ("GET", "/v1/users/me/settings", "/v1/users/me/settings"),
        ("GET", "/v1/users/me", "/v1/users/{user_id} user_id=me"),
        ("GET", "/v1/conversations?limit=5", "/v1/conversations"),
    ])
    func matchesMethodAndTemplate(method: String, target: String, expected: String) async {
        let response = await call(chatRouter(), HTTPMethod(method), target)
        #expect(response.status == 200)
        #expect(F.text(response) == expected)
    }

    /// As in Hummingbird's trie: the path picks the route, then the method; a literal match
    /// with another method is a 405, not a fall-back to the parameter route.
    @Test func literalSegmentsBeatParameters() async {
        let router = chatRouter()
        #expect(F.text(await call(router, .POST, "/v1/conversations/circle")) == "/v1/conversations/circle")
        let wrongMethod = await call(router, .GET, "/v1/conversations/circle")
        #expect(wrongMethod.status == 405)
        #expect(wrongMethod.headers["Allow"] == "POST, OPTIONS")
    }

    @Test func backtracksWhenALiteralBranchDeadEnds() async {
        let router = Router(logger: F.CapturedLog().logger())
        router.add(.GET, "/a/b/c") { F.echo($0) }
        router.add(.GET, "/a/{x}/d") { F.echo($0) }
        #expect(F.text(await call(router, .GET, "/a/b/d")) == "/a/{x}/d x=b")
        #expect(F.text(await call(router, .GET, "/a/b/c")) == "/a/b/c")
        #expect((await call(router, .GET, "/a/b")).status == 404)
    }

    @Test(arguments: ["/v2/me", "/v1/me/", "/v1//me", "/v1/conversations/", "/v1/conversations//messages",
                      "/v1/conversations/a/b/c", "", "*", "v1/me", "/"])
    func unknownPathsGetNotFound(path: String) async {
        let response = await call(chatRouter(), .GET, path)
        #expect(response.status == 404)
        #expect(F.text(response) == #"{"error":{"code":"not_found","message":"no route matches this path"}}"#)
        #expect(response.headers["Allow"] == nil)
    }

    @Test func knownPathWithAnotherMethodGets405WithAllow() async {
        let router = chatRouter()
        let response = await call(router, .DELETE, "/v1/conversations/7c0e")
        #expect(response.status == 405)
        #expect(response.headers["Allow"] == "GET, HEAD, PATCH, OPTIONS")
        #expect(F.text(response) == #"{"error":{"code":"method_not_allowed","message":"method not allowed"}}"#)
        let unknownMethod = await call(router, HTTPMethod("BREW"), "/v1/me")
        #expect(unknownMethod.status == 405)
        #expect(unknownMethod.headers["Allow"] == "GET, HEAD, OPTIONS")
        #expect((await call(router, .POST, "/v1/circles/c1/members")).headers["Allow"] == "PUT, OPTIONS")
    }

    @Test func headIsServedByGetRoutes() async {
        let router = chatRouter()
        let response = await call(router, .HEAD, "/v1/conversations/7c0e")
        #expect(response.status == 200)
        #expect(F.text(response) == "/v1/conversations/{id} id=7c0e")
        #expect((await call(router, .HEAD, "/v1/conversations/direct")).status == 405)
    }

    @Test func headOnAStreamRouteOpensNoStream() async {
        let router = Router(logger: F.CapturedLog().logger())
        router.add(.GET, "/v1/stream") { _ in .eventStream { _ in Issue.record("a HEAD must not open a stream") } }
        let response = await call(router, .HEAD, "/v1/stream")
        #expect(response.status == 200)
        guard case .bytes(let bytes) = response.body else { Issue.record("expected no stream"); return }
        #expect(bytes.isEmpty)
    }

    @Test func plainOptionsListsTheMethods() async {
        let response = await call(chatRouter(), .OPTIONS, "/v1/conversations/x/messages")
        #expect(response.status == 204)
        #expect(response.headers["Allow"] == "GET, HEAD, POST, OPTIONS")
    }

    @Test func pathParametersArePercentDecoded() async {
        let router = chatRouter()
        #expect(F.text(await call(router, .GET, "/v1/users/ada%40example.com")) == "/v1/users/{user_id} user_id=ada@example.com")
        #expect(F.text(await call(router, .GET, "/v1/users/a+b%2Fc")) == "/v1/users/{user_id} user_id=a+b/c")
        #expect(F.text(await call(router, .GET, "/v1/users/%C3%A9")) == "/v1/users/{user_id} user_id=é")
    }

    @Test(arguments: [
        ("GET", "/v1/users/%zz", "user_id"), ("GET", "/v1/users/%C3%28", "user_id"), ("GET", "/v1/users/a%00", "user_id"),
        ("PUT", "/v1/circles/c1/members/%E2%82", "user_id"), ("PUT", "/v1/circles/%/members/u1", "circle_id"),
    ])
    func badEscapesInParametersAre400NamingTheParameter(method: String, path: String, parameter: String) async {
        let response = await call(chatRouter(), HTTPMethod(method), path)
        #expect(response.status == 400)
        #expect(F.text(response) == #"{"error":{"code":"bad_request","message":"path parameter \"\#(parameter)\" is not valid percent-encoded UTF-8"}}"#)
    }

    @Test func aThrownAPIErrorBecomesItsResponse() async {
        let router = Router(logger: F.CapturedLog().logger())
        router.add(.GET, "/limited") { _ in throw APIError.rateLimited(retryAfterSeconds: 3) }
        let response = await call(router, .GET, "/limited")
        #expect(response.status == 429)
        #expect(response.headers["Retry-After"] == "3")
        #expect(F.text(response) == #"{"error":{"code":"rate_limited","message":"too many requests; retry later"}}"#)
    }

    @Test func anyOtherErrorIsAGeneric500AndAnErrorLogLine() async throws {
        struct SecretFailure: Error, CustomStringConvertible { var description: String { "SQLSTATE 42P01 relation chat.secret" } }
        let log = F.CapturedLog()
        let router = Router(logger: log.logger())
        router.add(.GET, "/boom") { _ in throw SecretFailure() }
        var request = F.request(.GET, "/boom")
        request.requestID = "req-42"
        let response = await router.handler(request)
        #expect(response.status == 500)
        #expect(F.text(response) == #"{"error":{"code":"internal","message":"internal error"}}"#)
        #expect(response.headers["X-Request-Id"] == "req-42")
        let errorLine = try #require(log.lines.first { $0.contains(#""level":"error""#) })
        #expect(errorLine.contains(#""request_id":"req-42""#))
        #expect(errorLine.contains("SQLSTATE 42P01"))
        #expect(errorLine.contains(#""route":"/boom""#))
    }

    @Test func requestIDIsEchoedOrGenerated() async {
        let router = chatRouter()
        var request = F.request(.GET, "/v1/me")
        request.requestID = "from-the-server"
        #expect((await router.handler(request)).headers["X-Request-Id"] == "from-the-server")
        let generated = await call(router, .GET, "/v2/none")
        #expect(generated.headers["X-Request-Id"].map(RequestID.isAcceptable) == true)
    }

    @Test func setsTheRouteAndLogsOneAccessLinePerRequest() async throws {
        let log = F.CapturedLog()
        let router = chatRouter(log: log)
        _ = await call(router, .GET, "/v1/conversations/7c0e/messages?access_token=secret")
        _ = await call(router, .GET, "/nowhere")
        let lines = log.lines
        #expect(lines.count == 2)
        #expect(lines[0].contains(#""route":"/v1/conversations/{id}/messages""#))
        #expect(lines[0].contains(#""status":200"#))
        #expect(lines[0].contains(#""duration_ms":"#))
        #expect(!lines[0].contains("secret"))
        #expect(lines[1].contains(#""route":"unmatched""#))
        #expect(lines[1].contains(#""status":404"#))
    }

    @Test func recordsRequestMetricsByRouteTemplateAndStatus() async {
        let metrics = MetricsRegistry()
        let router = chatRouter(metrics: metrics)
        _ = await call(router, .GET, "/v1/conversations/a")
        _ = await call(router, .GET, "/v1/conversations/b")
        _ = await call(router, .DELETE, "/v1/conversations/b")
        _ = await call(router, HTTPMethod("BREW"), "/v1/me")
        let text = metrics.render()
        #expect(text.contains(#"http_requests_total{method="GET",route="/v1/conversations/{id}",status="200"} 2"#))
        #expect(text.contains(#"http_requests_total{method="DELETE",route="/v1/conversations/{id}",status="405"} 1"#))
        #expect(text.contains(#"http_requests_total{method="other",route="/v1/me",status="405"} 1"#))
        #expect(text.contains(#"http_request_duration_seconds_count{method="GET",route="/v1/conversations/{id}"} 2"#))
    }

    @Test func bodyLimitFollowsTheMatchedRoute() {
        let router = chatRouter()
        #expect(router.bodyLimit(method: .POST, path: "/v1/conversations/x/messages") == 65_536)
        #expect(router.bodyLimit(method: .GET, path: "/v1/conversations/x/messages") == nil)
        #expect(router.bodyLimit(method: .POST, path: "/nowhere") == nil)
    }

    @Test func routesListsRegistrationsInOrder() {
        let router = Router()
        router.add(.GET, "/b") { F.echo($0) }
        router.add(.POST, "/a/{id}") { F.echo($0) }
        #expect(router.routes.map { "\($0.method) \($0.template)" } == ["GET /b", "POST /a/{id}"])
    }

    @Test func operationalRoutesAnswerHealthReadinessAndMetrics() async {
        let metrics = MetricsRegistry()
        metrics.counter("chat_things_total", help: "Things.").increment()
        final class Readiness: Sendable { let ready = Atomic(true) }
        let readiness = Readiness()
        let router = Router(logger: F.CapturedLog().logger())
        router.addOperationalRoutes(metrics: metrics) { readiness.ready.load(ordering: .relaxed) }
        let health = await call(router, .GET, "/healthz")
        #expect(health.status == 200)
        #expect(F.text(health) == #"{"status":"ok"}"#)
        #expect((await call(router, .GET, "/readyz")).status == 200)
        readiness.ready.store(false, ordering: .relaxed)
        let notReady = await call(router, .GET, "/readyz")
        #expect(notReady.status == 503)
        #expect(F.text(notReady).contains(#""code":"unavailable""#))
        let exposition = await call(router, .GET, "/metrics")
        #expect(exposition.headers["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8")
        #expect(F.text(exposition).contains("chat_things_total 1\n"))
    }

    @Test func handlerFreezesTheRoutesAndConcurrentRequestsShareThem() async {
        let router = chatRouter()
        let handler = router.handler
        await withTaskGroup(of: Int.self) { group in
            for index in 0..<200 {
                group.addTask { await handler(F.request(.GET, "/v1/conversations/\(index)")).status }
            }
            for await status in group { #expect(status == 200) }
        }
    }
}
