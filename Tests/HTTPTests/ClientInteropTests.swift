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

    /// Runs curl and returns its standard output (CRLF as LF); throws with its exit status and
    /// standard error when it fails, so a timeout or a refused connection says so instead of
    /// looking like an empty response. Standard error goes to a file, so the one pipe left is
    /// read to its end while curl runs and neither can fill up and stall it. Launching, reading
    /// and waiting happen on a thread of its own (see `offloaded`), never on the cooperative
    /// pool that the server under test needs to answer curl. No proxy: the server is on
    /// loopback whatever the environment says.
    static func curl(_ arguments: [String]) async throws -> String {
        let errorFile = FileManager.default.temporaryDirectory.appendingPathComponent("curl-\(UUID().uuidString).err")
        guard FileManager.default.createFile(atPath: errorFile.path, contents: nil) else {
            throw CurlFailure(status: -1, standardError: "cannot create \(errorFile.path)")
        }
        defer { try? FileManager.default.removeItem(at: errorFile) }
        let (data, status) = try await offloaded {
            let errors = try FileHandle(forWritingTo: errorFile)
            defer { try? errors.close() }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
            process.arguments = ["--noproxy", "*", "--max-time", "30"] + arguments
            let output = Pipe()
            process.standardOutput = output
            process.standardError = errors
            process.standardInput = FileHandle.nullDevice
            try process.run()
            let data = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return (data, process.terminationReason == .exit ? process.terminationStatus : 128 + process.terminationStatus)
        }
        guard status == 0 else {
            let diagnostics = (try? String(contentsOf: errorFile, encoding: .utf8)) ?? ""
            throw CurlFailure(status: status, standardError: diagnostics)
        }
        return String(decoding: data, as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n")
    }
}

/// curl exited with an error (status 128 + signal when it was killed).
struct CurlFailure: Error, CustomStringConvertible {
    let status: Int32
    let standardError: String
    var description: String { "curl exited with status \(status): \(standardError)" }
}
