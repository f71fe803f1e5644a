import Foundation
import Testing
import TestSupport
@testable import HTTP

/// `Router.addImmediate`: answered on the event loop that read the request (no task), in order
/// with pipelined requests to suspending routes, with the same error shape, `HEAD` and
/// metrics as any route.
@Suite struct ImmediateHandlerTests {
    /// `body` gets the server and, per call of the immediate handler, whether it ran in a task.
    private func withRouter<T>(_ body: (HTTPServer, Recorder<Bool>) async throws -> T) async throws -> T {
        let inTask = Recorder<Bool>()
        let router = Router(logger: Logger(label: "test", level: .error))
        router.addImmediate(.GET, "/now/{n}") { request in
            inTask.append(withUnsafeCurrentTask { $0 != nil })
            return .text(200, "now \(request.pathParameters["n"] ?? "")")
        }
        router.addImmediate(.GET, "/refuse") { _ in throw APIError.conflict("refused at once") }
        router.addImmediate(.GET, "/crash") { _ in throw CocoaError(.fileNoSuchFile) }
        router.add(.GET, "/slow/{n}") { request in
            try await Task.sleep(for: .milliseconds(20))
            return .text(200, "slow \(request.pathParameters["n"] ?? "")")
        }
        var configuration = HTTPServerConfiguration()
        configuration.port = 0
        configuration.loopCount = 2
        let server = HTTPServer(configuration: configuration, router: router, logger: Logger(label: "test", level: .error))
        try server.start()
        defer { Task { await server.shutdown(timeout: .seconds(2)) } }
        return try await body(server, inTask)
    }

    @Test("runs on the event loop, not in a task, and answers like any route: status, error shape, HEAD, 404")
    func answersOnTheLoop() async throws {
        try await withRouter { server, inTask in
            let client = try await HTTPTestClient.connect(port: server.boundPort)
            let response = try await client.request("GET", "/now/1")
            #expect(response.status == 200 && response.text == "now 1")
            #expect(response.header("X-Request-Id")?.isEmpty == false)
            #expect(inTask.all == [false], "run on the event loop, not in a task")
            let refused = try await client.request("GET", "/refuse")
            #expect(refused.status == 409 && refused.text.contains("\"code\":\"conflict\""))
            let crashed = try await client.request("GET", "/crash")
            #expect(crashed.status == 500 && crashed.text.contains("\"code\":\"internal\""))
            let head = try await client.request("HEAD", "/now/2")
            #expect(head.status == 200 && head.body.isEmpty && head.header("Content-Length") == "5")
            #expect(try await client.request("GET", "/nowhere").status == 404)
            #expect(try await client.request("POST", "/now/3").status == 405)
        }
    }

    @Test("pipelined requests, immediate and suspending mixed, are answered in order; 500 at once in one write")
    func pipelinedInOrder() async throws {
        try await withRouter { server, _ in
            let client = try await HTTPTestClient.connect(port: server.boundPort)
            try await client.send("GET /now/1 HTTP/1.1\r\nHost: h\r\n\r\nGET /slow/2 HTTP/1.1\r\nHost: h\r\n\r\n"
                                  + "GET /now/3 HTTP/1.1\r\nHost: h\r\n\r\n")
            for expected in ["now 1", "slow 2", "now 3"] {
                #expect(try await client.readResponse().text == expected)
            }
            let many = (0..<500).map { "GET /now/\($0) HTTP/1.1\r\nHost: h\r\n\r\n" }.joined()
            try await client.send(many)
            for index in 0..<500 {
                let response = try await client.readResponse()
                guard response.text == "now \(index)" else {
                    Issue.record("response \(index): \(response.text)")
                    return
                }
            }
        }
    }
}
