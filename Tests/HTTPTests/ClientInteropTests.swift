import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import TestSupport
@testable import HTTP

/// Real clients: Foundation's URLSession and the curl command line, for plain requests and
/// for an event stream.
@Suite struct ClientInteropTests {
    @Test func urlSessionGetsAResponse() async throws {
        try await withServer { server in
            let url = try #require(URL(string: "http://127.0.0.1:\(server.boundPort)/via/urlsession?x=1"))
            var request = URLRequest(url: url)
            request.httpMethod = "POST"
            request.httpBody = Data("12345".utf8)
            let (data, response) = try await URLSession.shared.data(for: request)
            let http = try #require(response as? HTTPURLResponse)
            #expect(http.statusCode == 200)
            #expect(String(decoding: data, as: UTF8.self) == "POST /via/urlsession 5")
        }
    }

    @Test func curlGetsAResponseAndReadsAnEventStream() async throws {
        try await withServer(handler: { request in
            if request.path == "/stream" {
                return .eventStream { stream in
                    stream.send(SSEFrame.encode(id: "1", event: "hello", data: "world"))
                    stream.close(final: SSEFrame.retry(milliseconds: 500))
                }
            }
            return await echo(request)
        }) { server in
            let plain = try await Self.curl(["-sS", "-i", "http://127.0.0.1:\(server.boundPort)/via/curl"])
            #expect(plain.hasPrefix("HTTP/1.1 200 OK"))
            #expect(plain.hasSuffix("GET /via/curl 0"))
            let stream = try await Self.curl(["-sS", "-N", "-H", "Accept: text/event-stream",
                                              "http://127.0.0.1:\(server.boundPort)/stream"])
            #expect(stream == "id: 1\nevent: hello\ndata: world\n\nretry: 500\n\n")
        }
    }

    /// Runs curl (off the cooperative pool that the server under test needs to answer it: see
    /// `ProgramRun`) and returns its standard output, CRLF as LF. A failure throws with curl's
    /// exit status and standard error, so a timeout or a refused connection says so instead of
    /// looking like an empty response. No proxy: the server is on loopback whatever the
    /// environment says.
    static func curl(_ arguments: [String]) async throws -> String {
        let run = try await ProgramRun.run(
            URL(fileURLWithPath: "/usr/bin/curl"), ["--noproxy", "*", "--max-time", "30"] + arguments)
        guard run.status == 0 else { throw CurlFailure(run) }
        return run.stdout.replacingOccurrences(of: "\r\n", with: "\n")
    }
}

/// curl exited with an error.
struct CurlFailure: Error, CustomStringConvertible {
    let run: ProgramRun

    init(_ run: ProgramRun) { self.run = run }

    var description: String { "curl exited with status \(run.status): \(run.stderr)" }
}
