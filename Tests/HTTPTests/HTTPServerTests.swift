import Foundation
import Testing
import TestSupport
@testable import HTTP

/// The server over real loopback sockets: connection handling, limits and timeouts.
@Suite struct HTTPServerTests {
    @Test func servesSeveralRequestsOnOneKeepAliveConnection() async throws {
        try await withServer { server in
            let client = try await HTTPTestClient.connect(port: server.boundPort)
            for index in 0..<3 {
                let response = try await client.request("GET", "/n/\(index)")
                #expect(response.status == 200)
                #expect(response.text.hasPrefix("GET /n/\(index) 0"))
                #expect(response.header("Connection") == nil)
                #expect(response.header("Content-Length") == String(response.body.count))
            }
        }
    }

    /// Pipelined requests are answered in order, and the next handler starts only after the
    /// previous response is written.
    @Test func answersPipelinedRequestsInOrderOneAtATime() async throws {
        let log = Recorder<String>()
        try await withServer(handler: { request in
            log.append("start \(request.path)")
            let response = await echo(request)
            log.append("end \(request.path)")
            return response
        }) { server in
            let client = try await HTTPTestClient.connect(port: server.boundPort)
            let host = "127.0.0.1:\(server.boundPort)"
            let paths = ["/sleep/150", "/a", "/sleep/50", "/b"]
            try await client.send(paths.flatMap { HTTPTestClient.encodeRequest("GET", $0, host: host, headers: [], body: []) })
            for path in paths {
                let response = try await client.readResponse()
                #expect(response.text.hasPrefix("GET \(path) "))
            }
            #expect(log.all == paths.flatMap { ["start \($0)", "end \($0)"] })
        }
    }

    /// `printf 'GET /a ... GET /b ...' | nc`: the client shuts down its side after sending;
    /// every pipelined request is still answered, then the connection closes.
    @Test func answersPipelinedRequestsFromAClientThatHalfClosed() async throws {
        try await withServer { server in
            let client = try await HTTPTestClient.connect(port: server.boundPort)
            try await client.send("GET /sleep/50 HTTP/1.1\r\nHost: h\r\n\r\nGET /second HTTP/1.1\r\nHost: h\r\n\r\n")
            client.shutdownWrite()
            #expect(try await client.readResponse().text.hasPrefix("GET /sleep/50 "))
            #expect(try await client.readResponse().text.hasPrefix("GET /second "))
            #expect(try await client.waitForClose(timeout: .seconds(10)))
        }
    }

    @Test func closesAfterConnectionClose() async throws {
        try await withServer { server in
            let client = try await HTTPTestClient.connect(port: server.boundPort)
            let response = try await client.request("GET", "/x", headers: [("Connection", "close")])
            #expect(response.status == 200)
            #expect(response.header("Connection") == "close")
            #expect(try await client.waitForClose(timeout: .seconds(10)))
        }
    }

    @Test func closesHTTP10ConnectionsUnlessKeepAliveIsAsked() async throws {
        try await withServer { server in
            let plain = try await HTTPTestClient.connect(port: server.boundPort)
            try await plain.send("GET /old HTTP/1.0\r\n\r\n")
            let first = try await plain.readResponse()
            #expect(first.status == 200)
            #expect(first.header("Connection") == "close")
            #expect(try await plain.waitForClose(timeout: .seconds(10)))

            let persistent = try await HTTPTestClient.connect(port: server.boundPort)
            for _ in 0..<2 {
                try await persistent.send("GET /old HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
                let response = try await persistent.readResponse()
                #expect(response.status == 200)
                #expect(response.header("Connection") == "keep-alive")
            }
        }
    }

    /// The 413 comes from the declared length alone: the body is never sent, so the server
    /// cannot have buffered it.
    @Test func refusesAnOversizedBodyBeforeReadingIt() async throws {
        try await withServer { server in
            let client = try await HTTPTestClient.connect(port: server.boundPort)
            try await client.send("POST /upload HTTP/1.1\r\nHost: h\r\nContent-Length: 104857600\r\nContent-Type: application/json\r\n\r\n")
            let response = try await client.readResponse()
            #expect(response.status == 413)
            #expect(response.errorCode == "payload_too_large")
            #expect(response.header("Connection") == "close")
            #expect(response.header("Content-Type") == "application/json")
            // The client may go on sending: the server drops it and closes after the linger time.
            try? await client.send([UInt8](repeating: 0x61, count: 256 * 1024))
            #expect(try await client.waitForClose(timeout: .seconds(10)))
        }
    }

    @Test func acceptsABodyAtTheLimitAndAChunkedBody() async throws {
        try await withServer { server in
            let client = try await HTTPTestClient.connect(port: server.boundPort)
            let full = try await client.request("POST", "/upload", body: [UInt8](repeating: 0x61, count: 65536))
            #expect(full.text == "POST /upload 65536")
            try await client.send("POST /chunks HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n")
            #expect(try await client.readResponse().text == "POST /chunks 5")
        }
    }

    @Test func sendsContinueOnlyForABodyItWillAccept() async throws {
        try await withServer { server in
            let client = try await HTTPTestClient.connect(port: server.boundPort)
            try await client.send("POST /c HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n")
            #expect(try await client.readResponse().status == 100)
            try await client.send("data")
            #expect(try await client.readResponse().text == "POST /c 4")

            let refused = try await HTTPTestClient.connect(port: server.boundPort)
            try await refused.send("POST /c HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 70000\r\n\r\n")
            #expect(try await refused.readResponse().status == 413)
        }
    }

    @Test func answersMalformedRequestsWithTheErrorShapeAndCloses() async throws {
        try await withServer { server in
            for bad in ["GET / HTTP/1.1\r\n\r\n", "GET / HTTP/1.1\r\nHost: h\r\nX : y\r\n\r\n",
                        "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n"] {
                let client = try await HTTPTestClient.connect(port: server.boundPort)
                try await client.send(bad)
                let response = try await client.readResponse()
                #expect(response.status == 400)
                #expect(response.errorCode == "bad_request")
                #expect(response.header("Connection") == "close")
                #expect(response.header("X-Request-Id") != nil)
                #expect(try await client.waitForClose(timeout: .seconds(10)))
            }
            let tooNew = try await HTTPTestClient.connect(port: server.boundPort)
            try await tooNew.send("GET / HTTP/2.0\r\nHost: h\r\n\r\n")
            #expect(try await tooNew.readResponse().status == 505)
            let longTarget = try await HTTPTestClient.connect(port: server.boundPort)
            try await longTarget.send("GET /\(String(repeating: "a", count: 100 * 1024)) HTTP/1.1\r\nHost: h\r\n\r\n")
            #expect(try await longTarget.readResponse().status == 414)
            let manyHeaders = try await HTTPTestClient.connect(port: server.boundPort)
            try await manyHeaders.send("GET / HTTP/1.1\r\nHost: h\r\n" + String(repeating: "X: 1\r\n", count: 200) + "\r\n")
            #expect(try await manyHeaders.readResponse().status == 431)
        }
    }

    @Test func closesAnHTTP2PrefaceWithoutAnswering() async throws {
        try await withServer { server in
            let client = try await HTTPTestClient.connect(port: server.boundPort)
            try await client.send("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
            #expect(try await client.readToEnd().isEmpty)
        }
    }

    /// Slowloris: a client trickling a head byte by byte is cut off at the request timeout,
    /// as is one that connects and says nothing.
    ///
    /// The trickle sends a byte every 50 ms, far within the timeout, for 11 s: only a deadline
    /// on the whole head (not one renewed by each byte) answers while it goes on, and the answer
    /// must come within the timeout plus slack for a busy machine, well before the 10 s default
    /// a server ignoring its configuration would use. The trickle runs on the client's own
    /// thread, timed there. The silent client, opened at the same moment, is closed by then.
    @Test func cutsOffSlowAndSilentClients() async throws {
        let requestHeaderTimeout = Duration.milliseconds(300)
        try await withServer({ $0.requestHeaderTimeout = requestHeaderTimeout }) { server in
            let start = ContinuousClock.now
            let silent = try await HTTPTestClient.connect(port: server.boundPort)
            // The head starts at once: a client silent past the timeout is closed without a 408.
            let slow = try await HTTPTestClient.connect(port: server.boundPort, sending: Array("GET / HTTP/1.1\r\nHost: h\r\n".utf8))
            let header = Array(String(repeating: "X-Slow: 1\r\n", count: 20).utf8)
            let cutAfter = try #require(try await slow.trickle(header, every: .milliseconds(50)),
                                        "the trickling client was not cut off while it trickled")
            #expect(cutAfter < requestHeaderTimeout + .seconds(5), "\(cutAfter)")
            #expect(ContinuousClock.now - start >= requestHeaderTimeout)
            let answer = try await slow.readToEnd(timeout: .seconds(10))
            #expect(String(decoding: answer, as: UTF8.self).hasPrefix("HTTP/1.1 408 "))
            #expect(try await silent.waitForClose(timeout: .seconds(5)), "the silent client outlived the slow one")
        }
    }

    /// Loops with no timer armed sleep until something happens, here longer than the request
    /// timeout. The next connection still gets the whole timeout, counted from its opening
    /// (not from when the loop went to sleep), and is served.
    /// The request goes out with the connection, so a busy machine resuming the test late
    /// cannot make it look like a silent client.
    @Test func servesTheFirstConnectionAfterTheLoopsSatIdle() async throws {
        try await withServer({ $0.requestHeaderTimeout = .seconds(1) }) { server in
            try await Task.sleep(for: .milliseconds(2500))
            let request = HTTPTestClient.encodeRequest("GET", "/after-idle", host: "h", headers: [], body: [])
            let client = try await HTTPTestClient.connect(port: server.boundPort, sending: request)
            #expect(try await client.readResponse().status == 200)
        }
    }

    @Test func closesIdleKeepAliveConnections() async throws {
        try await withServer({ $0.idleTimeout = .milliseconds(200) }) { server in
            let client = try await HTTPTestClient.connect(port: server.boundPort)
            #expect(try await client.request("GET", "/").status == 200)
            #expect(try await client.waitForClose(timeout: .seconds(10)))
        }
    }

    /// A new client is served while a thousand connections sit idle, and the idle ones still
    /// are. The bound is for a busy machine: being served at all, not stuck behind the idle
    /// connections, is the point. The idle ones say nothing until their turn, so the request
    /// timeout (which would rightly cut off a silent client) is made longer than the test.
    @Test func holdsAThousandIdleConnectionsAndStillServes() async throws {
        try await withServer({ $0.requestHeaderTimeout = .seconds(120) }) { server in
            let port = server.boundPort
            let clients = try await offloaded { try (0..<1000).map { _ in try HTTPTestClient(port: port) } }
            let start = ContinuousClock.now
            #expect(try await HTTPTestClient.request(port: port, "GET", "/fresh", timeout: .seconds(30)).status == 200)
            #expect(ContinuousClock.now - start < .seconds(20))
            for client in clients.prefix(50) { #expect(try await client.request("GET", "/idle").status == 200) }
        }
    }

    @Test func refusesConnectionsPastTheLimitWith503() async throws {
        let metrics = MetricsRegistry()
        try await withServer({ $0.maxConnections = 2 }, metrics: metrics) { server in
            let first = try await HTTPTestClient.connect(port: server.boundPort)
            let second = try await HTTPTestClient.connect(port: server.boundPort)
            #expect(try await first.request("GET", "/").status == 200)
            #expect(try await second.request("GET", "/").status == 200)
            let third = try await HTTPTestClient.connect(port: server.boundPort)
            let refused = try await third.readResponse()
            #expect(refused.status == 503)
            #expect(refused.errorCode == "unavailable")
            #expect(metrics.render().contains("http_connections_rejected_total 1"))
            first.close()
            // Connecting always succeeds (the kernel accepts); being served again is the point.
            #expect(await eventually { (try? await HTTPTestClient.request(port: server.boundPort, "GET", "/"))?.status == 200 })
        }
    }

    @Test func keepsASaneRequestIDAndReplacesAnInsaneOne() async throws {
        try await withServer { server in
            let client = try await HTTPTestClient.connect(port: server.boundPort)
            let kept = try await client.request("GET", "/", headers: [("X-Request-Id", "abc-123")])
            #expect(kept.header("X-Request-Id") == "abc-123")
            let replaced = try await client.request("GET", "/", headers: [("X-Request-Id", String(repeating: "z", count: 200))])
            let generated = try #require(replaced.header("X-Request-Id"))
            #expect(generated != String(repeating: "z", count: 200) && !generated.isEmpty)
        }
    }

    @Test func answersHEADWithHeadersOnly() async throws {
        try await withServer { server in
            let client = try await HTTPTestClient.connect(port: server.boundPort)
            let head = try await client.request("HEAD", "/thing")
            #expect(head.status == 200)
            #expect(head.header("Content-Length") == String("HEAD /thing 0".utf8.count))
            // Had a body been sent, it would be read as the next response's status line.
            #expect(try await client.request("GET", "/next").text.hasPrefix("GET /next"))
        }
    }

    @Test func writesDateButNoServerHeaderAndDropsUnsafeHandlerHeaders() async throws {
        try await withServer(handler: { _ in
            var headers = HTTPHeaders()
            headers.add("X-Evil", "a\r\nX-Injected: 1")
            headers.add("Bad Name", "v")
            headers.add("Content-Length", "999")
            headers.add("X-Fine", "ok")
            return HTTPResponse(status: 200, headers: headers, body: .bytes(Array("hi".utf8)))
        }) { server in
            let response = try await HTTPTestClient.request(port: server.boundPort, "GET", "/")
            #expect(response.header("Date")?.hasSuffix(" GMT") == true)
            #expect(response.header("Server") == nil)
            #expect(response.header("X-Injected") == nil)
            #expect(response.header("X-Evil") == nil)
            #expect(response.header("X-Fine") == "ok")
            #expect(response.header("Content-Length") == "2")
            #expect(response.text == "hi")
        }
    }

    @Test func servesIPv6Loopback() async throws {
        try await withServer({ $0.host = "::1" }) { server in
            let response = try await HTTPTestClient.request(host: "::1", port: server.boundPort, "GET", "/v6")
            #expect(response.status == 200)
        }
    }

    @Test func refusesAnAddressThatIsNotAnIPLiteral() {
        var configuration = HTTPServerConfiguration()
        configuration.host = "example.com"
        #expect(throws: HTTPServerError.self) { try HTTPServer(configuration: configuration) { _ in .noContent() }.start() }
    }

    @Test func reportsAPortInUse() async throws {
        try await withServer { server in
            var configuration = HTTPServerConfiguration()
            configuration.port = server.boundPort
            let second = HTTPServer(configuration: configuration) { _ in .noContent() }
            #expect(throws: HTTPServerError.self) { try second.start() }
        }
    }
}
