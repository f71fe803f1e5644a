import Testing
@testable import HTTP

/// RFC 9112 parsing rules, one request per row, each with the status the server must answer.
@Suite struct RequestParserTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let bytes: [UInt8]
        let status: Int
        var testDescription: String { "\(name) -> \(status)" }

        init(_ name: String, _ text: String, _ status: Int) {
            self.name = name
            self.bytes = Array(text.utf8)
            self.status = status
        }

        init(_ name: String, bytes: [UInt8], _ status: Int) {
            self.name = name
            self.bytes = bytes
            self.status = status
        }
    }

    static let host = "Host: example.test\r\n"

    static let cases: [Case] = [
        // Accepted.
        Case("simple GET", "GET / HTTP/1.1\r\n\(host)\r\n", 200),
        Case("HTTP/1.0 without Host", "GET / HTTP/1.0\r\n\r\n", 200),
        Case("empty line before the request line", "\r\nGET / HTTP/1.1\r\n\(host)\r\n", 200),
        Case("Content-Length body", "POST /x HTTP/1.1\r\n\(host)Content-Length: 5\r\n\r\nhello", 200),
        Case("identical repeated Content-Length", "POST /x HTTP/1.1\r\n\(host)Content-Length: 5, 5\r\n\r\nhello", 200),
        Case("chunked body with extension and trailer",
             "POST /x HTTP/1.1\r\n\(host)Transfer-Encoding: chunked\r\n\r\n5;name=value\r\nhello\r\n0\r\nX-Trailer: 1\r\n\r\n", 200),
        Case("OPTIONS asterisk", "OPTIONS * HTTP/1.1\r\n\(host)\r\n", 200),
        Case("query with escapes", "GET /x?a=1&b=x+y&c=%C3%A9 HTTP/1.1\r\n\(host)\r\n", 200),
        Case("header value with tabs and spaces", "GET / HTTP/1.1\r\n\(host)X-A: \t a b \t\r\n\r\n", 200),
        Case("obs-text in a header value", bytes: Array("GET / HTTP/1.1\r\n\(host)X-A: ".utf8) + [0xC3, 0xA9] + Array("\r\n\r\n".utf8), 200),
        Case("100-continue", "POST /x HTTP/1.1\r\n\(host)Expect: 100-continue\r\nContent-Length: 2\r\n\r\nhi", 200),
        Case("unknown method parses", "BREW /pot HTTP/1.1\r\n\(host)\r\n", 200),

        // 400: framing and syntax.
        Case("missing Host on HTTP/1.1", "GET / HTTP/1.1\r\n\r\n", 400),
        Case("two Host headers", "GET / HTTP/1.1\r\n\(host)\(host)\r\n", 400),
        Case("Host with a space", "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400),
        Case("Host with a slash", "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", 400),
        Case("Content-Length and Transfer-Encoding",
             "POST /x HTTP/1.1\r\n\(host)Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
        Case("gzip transfer coding", "POST /x HTTP/1.1\r\n\(host)Transfer-Encoding: gzip, chunked\r\n\r\n", 400),
        Case("chunked twice", "POST /x HTTP/1.1\r\n\(host)Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
        Case("identity transfer coding", "POST /x HTTP/1.1\r\n\(host)Transfer-Encoding: identity\r\n\r\n", 400),
        Case("chunked on HTTP/1.0", "POST /x HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
        Case("non-numeric Content-Length", "POST /x HTTP/1.1\r\n\(host)Content-Length: abc\r\n\r\n", 400),
        Case("negative Content-Length", "POST /x HTTP/1.1\r\n\(host)Content-Length: -1\r\n\r\n", 400),
        Case("signed Content-Length", "POST /x HTTP/1.1\r\n\(host)Content-Length: +5\r\n\r\nhello", 400),
        Case("empty Content-Length", "POST /x HTTP/1.1\r\n\(host)Content-Length: \r\n\r\n", 400),
        Case("conflicting Content-Length list", "POST /x HTTP/1.1\r\n\(host)Content-Length: 5, 6\r\n\r\nhello", 400),
        Case("conflicting Content-Length fields", "POST /x HTTP/1.1\r\n\(host)Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello", 400),
        Case("obs-fold", "GET / HTTP/1.1\r\n\(host)X-A: a\r\n b\r\n\r\n", 400),
        Case("whitespace before the colon", "GET / HTTP/1.1\r\n\(host)X-A : a\r\n\r\n", 400),
        Case("tab before the colon", "GET / HTTP/1.1\r\n\(host)X-A\t: a\r\n\r\n", 400),
        Case("bare CR in a value", "GET / HTTP/1.1\r\n\(host)X-A: a\rb\r\n\r\n", 400),
        Case("bare CR in the request line", "GET /\r HTTP/1.1\r\n\(host)\r\n", 400),
        Case("bare LF line ending", "GET / HTTP/1.1\n\(host)\r\n", 400),
        Case("bare LF after a header", "GET / HTTP/1.1\r\n\(host)X-A: a\n\r\n", 400),
        Case("NUL in a value", "GET / HTTP/1.1\r\n\(host)X-A: a\u{0}b\r\n\r\n", 400),
        Case("control byte in a value", "GET / HTTP/1.1\r\n\(host)X-A: a\u{1}b\r\n\r\n", 400),
        Case("DEL in a value", "GET / HTTP/1.1\r\n\(host)X-A: a\u{7F}b\r\n\r\n", 400),
        Case("control byte in a name", "GET / HTTP/1.1\r\n\(host)X\u{1}A: a\r\n\r\n", 400),
        Case("NUL in a name", "GET / HTTP/1.1\r\n\(host)X\u{0}A: a\r\n\r\n", 400),
        Case("empty header name", "GET / HTTP/1.1\r\n\(host): a\r\n\r\n", 400),
        Case("header line without colon", "GET / HTTP/1.1\r\n\(host)X-A\r\n\r\n", 400),
        Case("absolute-form target", "GET http://example.test/ HTTP/1.1\r\n\(host)\r\n", 400),
        Case("authority-form target", "CONNECT example.test:443 HTTP/1.1\r\n\(host)\r\n", 400),
        Case("target without a slash", "GET abc HTTP/1.1\r\n\(host)\r\n", 400),
        Case("asterisk for GET", "GET * HTTP/1.1\r\n\(host)\r\n", 400),
        Case("fragment in the target", "GET /a#b HTTP/1.1\r\n\(host)\r\n", 400),
        Case("non-ASCII byte in the target", bytes: Array("GET /".utf8) + [0xC3, 0xA9] + Array(" HTTP/1.1\r\n\(host)\r\n".utf8), 400),
        Case("bad percent escape in the query", "GET /x?a=%zz HTTP/1.1\r\n\(host)\r\n", 400),
        Case("truncated percent escape in the query", "GET /x?a=%4 HTTP/1.1\r\n\(host)\r\n", 400),
        Case("bad UTF-8 in the query", "GET /x?a=%ff%fe HTTP/1.1\r\n\(host)\r\n", 400),
        Case("NUL in the query", "GET /x?a=%00 HTTP/1.1\r\n\(host)\r\n", 400),
        Case("invalid chunk size", "POST /x HTTP/1.1\r\n\(host)Transfer-Encoding: chunked\r\n\r\nzz\r\n", 400),
        Case("chunk size with junk", "POST /x HTTP/1.1\r\n\(host)Transfer-Encoding: chunked\r\n\r\n5 x\r\nhello\r\n0\r\n\r\n", 400),
        Case("negative chunk size", "POST /x HTTP/1.1\r\n\(host)Transfer-Encoding: chunked\r\n\r\n-5\r\nhello\r\n0\r\n\r\n", 400),
        Case("chunk data without CRLF", "POST /x HTTP/1.1\r\n\(host)Transfer-Encoding: chunked\r\n\r\n5\r\nhelloXX0\r\n\r\n", 400),
        Case("bad trailer", "POST /x HTTP/1.1\r\n\(host)Transfer-Encoding: chunked\r\n\r\n0\r\nbad trailer\r\n\r\n", 400),
        Case("lowercase HTTP name", "GET / http/1.1\r\n\(host)\r\n", 400),
        Case("double space in the request line", "GET  / HTTP/1.1\r\n\(host)\r\n", 400),
        Case("trailing space in the request line", "GET / HTTP/1.1 \r\n\(host)\r\n", 400),
        Case("invalid method characters", "G(T / HTTP/1.1\r\n\(host)\r\n", 400),
        Case("request line without version", "GET /\r\n\(host)\r\n", 400),
        Case("garbage", "\u{16}\u{3}\u{1}\u{2}\u{0}\u{1}\r\n\r\n", 400),
        Case("garbage request line longer than the limit", String(repeating: "x", count: 9000), 400),

        // 414, 431, 413, 417, 505 and the HTTP/2 preface.
        Case("overlong target", "GET /\(String(repeating: "a", count: 9000)) HTTP/1.1\r\n\(host)\r\n", 414),
        Case("100 KiB URL", "GET /?q=\(String(repeating: "a", count: 100 * 1024)) HTTP/1.1\r\n\(host)\r\n", 414),
        Case("101 header fields", "GET / HTTP/1.1\r\n\(host)" + (0..<100).map { "X-\($0): v\r\n" }.joined() + "\r\n", 431),
        Case("10,000 header fields", "GET / HTTP/1.1\r\n\(host)" + String(repeating: "X: v\r\n", count: 10_000) + "\r\n", 431),
        Case("1 MiB header line", "GET / HTTP/1.1\r\n\(host)X-Big: \(String(repeating: "b", count: 1 << 20))\r\n\r\n", 431),
        Case("17 KiB of headers", "GET / HTTP/1.1\r\n\(host)" + (0..<17).map { "X-\($0): \(String(repeating: "v", count: 1000))\r\n" }.joined() + "\r\n", 431),
        Case("trailers over the header limit",
             "POST /x HTTP/1.1\r\n\(host)Transfer-Encoding: chunked\r\n\r\n0\r\nX-T: \(String(repeating: "t", count: 20000))\r\n\r\n", 431),
        Case("body one byte over the limit", "POST /x HTTP/1.1\r\n\(host)Content-Length: 65537\r\n\r\n", 413),
        Case("100 MiB Content-Length", "POST /x HTTP/1.1\r\n\(host)Content-Length: 104857600\r\n\r\n", 413),
        Case("Content-Length beyond Int", "POST /x HTTP/1.1\r\n\(host)Content-Length: 123456789012345678901234567890\r\n\r\n", 413),
        Case("chunked body over the limit",
             "POST /x HTTP/1.1\r\n\(host)Transfer-Encoding: chunked\r\n\r\n8000\r\n\(String(repeating: "a", count: 0x8000))\r\n8001\r\n", 413),
        Case("huge chunk size", "POST /x HTTP/1.1\r\n\(host)Transfer-Encoding: chunked\r\n\r\nffffffffffffffffffff\r\n", 413),
        Case("unknown expectation", "POST /x HTTP/1.1\r\n\(host)Expect: 200-ok\r\nContent-Length: 2\r\n\r\nhi", 417),
        Case("HTTP/2.0 request line", "GET / HTTP/2.0\r\n\(host)\r\n", 505),
        Case("HTTP/1.2", "GET / HTTP/1.2\r\n\(host)\r\n", 505),
        Case("HTTP/3.0", "GET / HTTP/3.0\r\n\(host)\r\n", 505),
        Case("HTTP/2 preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 0),
    ]

    @Test(arguments: cases)
    func answersWithTheExpectedStatus(_ testCase: Case) {
        #expect(ParserHarness().run(testCase.bytes).status == testCase.status)
    }

    /// The same verdicts when the bytes arrive one or seven at a time.
    @Test(arguments: cases.filter { $0.bytes.count < 20_000 })
    func reachesTheSameVerdictWhateverTheSlicing(_ testCase: Case) {
        #expect(ParserHarness().run(testCase.bytes, sliceSize: 1).status == testCase.status)
        #expect(ParserHarness().run(testCase.bytes, sliceSize: 7).status == testCase.status)
    }

    @Test func decodesMethodPathQueryHeadersAndBody() throws {
        let run = ParserHarness().run("POST /v1/x?a=1&b=x+y&c=%C3%A9 HTTP/1.1\r\nHost: h\r\nX-A:  spaced value \t\r\nContent-Length: 5\r\n\r\nhello")
        let request = try #require(run.requests.first?.request)
        #expect(request.method == .POST)
        #expect(request.path == "/v1/x")
        #expect(request.target == "/v1/x?a=1&b=x+y&c=%C3%A9")
        #expect(request.query["a"] == "1")
        #expect(request.query["b"] == "x y")
        #expect(request.query["c"] == "é")
        #expect(request.headers["x-a"] == "spaced value")
        #expect(request.body == Array("hello".utf8))
        #expect(run.requests.first?.keepAlive == true)
    }

    @Test func decodesChunkedBodies() throws {
        let run = ParserHarness().run("POST /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: Chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", sliceSize: 3)
        #expect(run.requests.first?.request.body == Array("hello world".utf8))
    }

    @Test func parsesPipelinedRequestsInOrder() {
        let run = ParserHarness().run("GET /1 HTTP/1.1\r\nHost: h\r\n\r\nPOST /2 HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\n\r\nxGET /3 HTTP/1.1\r\nHost: h\r\n\r\n")
        #expect(run.requests.map(\.request.path) == ["/1", "/2", "/3"])
    }

    @Test func decidesKeepAliveByVersionAndConnectionHeader() {
        let harness = ParserHarness()
        #expect(harness.run("GET / HTTP/1.1\r\nHost: h\r\n\r\n").requests.first?.keepAlive == true)
        #expect(harness.run("GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n").requests.first?.keepAlive == false)
        #expect(harness.run("GET / HTTP/1.1\r\nHost: h\r\nConnection: Keep-Alive, Close\r\n\r\n").requests.first?.keepAlive == false)
        #expect(harness.run("GET / HTTP/1.0\r\n\r\n").requests.first?.keepAlive == false)
        #expect(harness.run("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").requests.first?.keepAlive == true)
    }

    @Test func asksForContinueOnlyBeforeAnAcceptedBody() {
        let head = "POST /x HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n"
        let harness = ParserHarness()
        #expect(harness.run(head).continues == 1)
        #expect(harness.run(head + "hi").continues == 0)  // the body is already here
        #expect(harness.run("POST /x HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n").continues == 0)
        let refused = harness.run("POST /x HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 70000\r\n\r\n")
        #expect(refused.continues == 0)
        #expect(refused.status == 413)
    }

    @Test func appliesTheRouteBodyLimit() {
        var harness = ParserHarness()
        harness.bodyLimit = 4
        #expect(harness.run("POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\n\r\nabcd").status == 200)
        #expect(harness.run("POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nabcde").status == 413)
        #expect(harness.run("POST /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n").status == 413)
    }

    /// An oversized head is refused as soon as the limit is passed, without waiting for the
    /// rest of it (nothing over a limit is buffered).
    @Test func refusesOversizedHeadsBeforeTheyEnd() {
        let harness = ParserHarness()
        #expect(harness.run("GET /" + String(repeating: "a", count: 9000)).status == 414)
        #expect(harness.run("GET / HTTP/1.1\r\nHost: h\r\nX: " + String(repeating: "a", count: 17000)).status == 431)
    }

    @Test func needsMoreForAnIncompleteRequest() {
        let run = ParserHarness().run("GET / HTTP/1.1\r\nHost: h\r\n")
        #expect(run.requests.isEmpty)
        #expect(run.failure == nil)
    }
}
