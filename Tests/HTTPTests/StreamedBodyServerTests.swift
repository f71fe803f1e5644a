import Testing
import TestSupport
@testable import HTTP

/// Streamed bodies through a real server: a request body handed over in pieces while it
/// arrives (and its handler free to answer before the end), and a response body written by a
/// producer, whole, or cut off (connection closed) when it falls short of its length.
@Suite struct StreamedBodyServerTests {
    /// `POST /up` counts its body piece by piece (or answers 429 at once for `/up?refuse`);
    /// `GET /down/N` streams N bytes in 100 KiB pieces; `GET /short` announces 10 bytes and writes 4.
    private static func router() -> Router {
        let router = Router(logger: Logger(label: "test", level: .error))
        router.add(.POST, "/up", bodyLimit: 1 << 20, streamedBody: true) { request in
            if request.query["refuse"] != nil { throw APIError.rateLimited(retryAfterSeconds: 1) }
            var total = 0, pieces = 0
            while let piece = try await request.bodyStream!.next() {
                total += piece.count
                pieces += 1
            }
            return .text(200, "\(total) in \(pieces > 1 ? "pieces" : "one")")
        }
        router.add(.GET, "/down/{count}") { request in
            let count = Int(request.pathParameters["count"] ?? "") ?? 0
            return HTTPResponse(status: 200, body: .streamed(length: count) { writer in
                var sent = 0
                while sent < count {
                    let piece = min(100 << 10, count - sent)
                    guard await writer.write([UInt8](repeating: UInt8(truncatingIfNeeded: sent / 1024), count: piece)) else { return }
                    sent += piece
                }
            })
        }
        router.add(.GET, "/short") { _ in
            HTTPResponse(status: 200, body: .streamed(length: 10) { writer in _ = await writer.write(Array("abcd".utf8)) })
        }
        return router
    }

    /// `withServer` with the router's handler and its body rules (as `HTTPServer(router:)` does).
    private func withRouterServer(_ body: (HTTPServer) async throws -> Void) async throws {
        let router = Self.router()
        try await withServer({ $0.bodyRule = { router.bodyRule(method: $0, path: $1) } }, handler: router.handler, body)
    }

    @Test func aStreamedRequestBodyArrivesInPiecesAndTheConnectionStaysUsable() async throws {
        try await withRouterServer { server in
            let client = try await HTTPTestClient.connect(port: server.boundPort)
            let body = [UInt8](repeating: 7, count: 600_000)
            #expect(try await client.request("POST", "/up", body: body).text == "600000 in pieces")
            #expect(try await client.request("POST", "/up", body: [1, 2, 3]).text == "3 in one")  // keep-alive
            try await client.send("POST /up HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n")
            #expect(try await client.readResponse().text == "3 in one")
        }
    }

    @Test func aHandlerThatAnswersBeforeTheBodyEndsClosesTheConnection() async throws {
        try await withRouterServer { server in
            let client = try await HTTPTestClient.connect(port: server.boundPort)
            try await client.send("POST /up?refuse HTTP/1.1\r\nHost: h\r\nContent-Length: 500000\r\n\r\nabc")
            let response = try await client.readResponse()
            #expect(response.status == 429)
            #expect(response.header("Connection") == "close")
            #expect(try await client.waitForClose(timeout: .seconds(5)))
        }
    }

    /// The router answers a streamed request at once (a bad path parameter: 400, no task): the
    /// answer still ends the upload like a handler's early answer, instead of being written
    /// before the body phase is set up.
    @Test func anAnswerGivenAtOnceToAStreamedRequestEndsTheUpload() async throws {
        let router = Router(logger: Logger(label: "test", level: .error))
        router.add(.POST, "/up/{name}", bodyLimit: 1 << 20, streamedBody: true) { _ in .text(200, "stored") }
        var configuration = HTTPServerConfiguration()
        configuration.port = 0
        let server = HTTPServer(configuration: configuration, router: router, logger: Logger(label: "test", level: .error))
        try server.start()
        defer { Task { await server.shutdown(timeout: .seconds(2)) } }
        let client = try await HTTPTestClient.connect(port: server.boundPort)
        try await client.send("POST /up/%ZZ HTTP/1.1\r\nHost: h\r\nContent-Length: 500000\r\n\r\nabc")
        let response = try await client.readResponse()
        #expect(response.status == 400)
        #expect(response.header("Connection") == "close")
        #expect(try await client.waitForClose(timeout: .seconds(5)))
    }

    @Test func aStreamedResponseIsWrittenWholeAndHEADGetsOnlyItsLength() async throws {
        try await withRouterServer { server in
            let client = try await HTTPTestClient.connect(port: server.boundPort)
            let response = try await client.request("GET", "/down/1000000")
            #expect(response.body.count == 1_000_000)
            #expect(response.body[999_999] == UInt8(truncatingIfNeeded: 900))  // the last 100 KiB piece began at 900 KiB
            let head = try await client.request("HEAD", "/down/1000000")
            #expect(head.header("Content-Length") == "1000000" && head.body.isEmpty)
            #expect(try await client.request("GET", "/down/5").body.count == 5)  // still keep-alive
        }
    }

    @Test func aProducerThatFallsShortEndsTheConnectionAfterWhatItWrote() async throws {
        try await withRouterServer { server in
            let client = try await HTTPTestClient.connect(port: server.boundPort)
            try await client.send("GET /short HTTP/1.1\r\nHost: h\r\n\r\n")
            let head = try await client.readResponseHead()
            #expect(head.header("Content-Length") == "10")
            let rest = try await client.readToEnd()
            #expect(rest == Array("abcd".utf8))
        }
    }
}
