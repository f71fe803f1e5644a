import Synchronization
import Testing

@testable import HTTP

/// Small factories shared by the routing, CORS and JSON suites: requests built by hand (no
/// sockets), response bodies read back, log lines captured.
enum RoutingFixtures {
    static func request(_ method: HTTPMethod, _ target: String, headers: [(String, String)] = [],
                        body: String = "") -> HTTPRequest {
        request(method, target, headers: headers, bytes: Array(body.utf8))
    }

    static func request(_ method: HTTPMethod, _ target: String, headers: [(String, String)] = [],
                        bytes: [UInt8]) -> HTTPRequest {
        let parts = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let query = parts.count > 1 ? (try? PercentDecoding.decodeQuery(parts[1])) ?? QueryParameters() : QueryParameters()
        return HTTPRequest(method: method, target: target, path: String(parts[0]), query: query,
                           headers: HTTPHeaders(headers.map { (name: $0.0, value: $0.1) }), body: bytes)
    }

    static func text(_ response: HTTPResponse) -> String {
        guard case .bytes(let bytes) = response.body else { return "<event stream>" }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A logger whose lines are kept for the test to read.
    final class CapturedLog: Sendable {
        private let storage = Mutex<[String]>([])
        var lines: [String] { storage.withLock { $0 } }
        func logger(label: String = "test", level: LogLevel = .debug) -> Logger {
            Logger(label: label, level: level, output: LogOutput { [self] line in
                storage.withLock { $0.append(String(decoding: line, as: UTF8.self)) }
            })
        }
    }

    /// A handler answering with its route and decoded parameters, to see what matched.
    static func echo(_ request: HTTPRequest) -> HTTPResponse {
        let parameters = request.pathParameters.keys.sorted().map { "\($0)=\(request.pathParameters[$0]!)" }
        return .text(200, ([request.route ?? "-"] + parameters).joined(separator: " "))
    }
}
