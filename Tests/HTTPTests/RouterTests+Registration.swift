import Testing

@testable import HTTP

/// Registration mistakes are the program's, found at start: they stop the process (checked in
/// a child process) rather than misroute requests later.
@Suite struct RouterRegistrationTests {
    @Test func addingARouteAfterTheRouterIsFrozenStopsTheProcess() async {
        await #expect(processExitsWith: .failure) {
            let router = Router(logger: Logger(label: "t", output: LogOutput { _ in }))
            router.add(.GET, "/a") { _ in .noContent() }
            _ = router.handler
            router.add(.GET, "/b") { _ in .noContent() }
        }
    }

    @Test func registeringTheSameMethodAndShapeTwiceStopsTheProcess() async {
        await #expect(processExitsWith: .failure) {
            let router = Router(logger: Logger(label: "t", output: LogOutput { _ in }))
            router.add(.GET, "/users/{id}") { _ in .noContent() }
            router.add(.GET, "/users/{user_id}") { _ in .noContent() }
            _ = router.handler
        }
    }

    @Test(arguments: ["users", "/users/", "/users//x", "/users/{}", "/users/{id", "/users/a{id}", "/a/{id}/{id}", "/caf%C3%A9"])
    func malformedTemplatesStopTheProcess(template: String) async {
        await #expect(processExitsWith: .failure, "\(template)") { [template] in
            _ = RouteTemplate(template)
        }
    }

    @Test func wellFormedTemplatesParse() {
        #expect(RouteTemplate("/").segments == [.literal("")])
        #expect(RouteTemplate("/v1/circles/{circle_id}/members/{user_id}").parameterNames == ["circle_id", "user_id"])
    }

    @Test func theRootTemplateMatchesOnlyTheRoot() async {
        let router = Router(logger: Logger(label: "t", output: LogOutput { _ in }))
        router.add(.GET, "/") { RoutingFixtures.echo($0) }
        #expect(RoutingFixtures.text(await router.handler(RoutingFixtures.request(.GET, "/"))) == "/")
        #expect((await router.handler(RoutingFixtures.request(.GET, "/x"))).status == 404)
    }

    @Test func requestIDsFromClientsAreKeptOnlyWhenSane() {
        #expect(RequestID.resolve(received: "3f2a-11:x/y+z=") == "3f2a-11:x/y+z=")
        for bad in ["", "has space", "line\nbreak", "quote\"", String(repeating: "a", count: 129), "é"] {
            #expect(RequestID.resolve(received: bad) != bad)
        }
        #expect(RequestID.isAcceptable(RequestID.resolve(received: nil)))
    }

    @Test func generatedRequestIDsAreUnique() {
        let ids = (0..<10_000).map { _ in RequestID.generate() }
        #expect(Set(ids).count == ids.count)
        #expect(ids.allSatisfy { $0.count == 29 && RequestID.isAcceptable($0) })
    }
}
