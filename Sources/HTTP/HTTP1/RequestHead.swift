/// How the body of a request is delimited (RFC 9112 §6.3).
enum BodyFraming: Equatable {
    case none
    case length(Int)
    case chunked
}

/// A complete request head, its fields interpreted: the request as handlers will see it
/// (without a body yet), how its body is framed, and what the connection does after it.
struct RequestHead {
    var request: HTTPRequest
    var framing: BodyFraming
    /// RFC 9112 §9.3: HTTP/1.1 persists unless `Connection: close`; HTTP/1.0 closes unless
    /// `Connection: keep-alive`.
    var keepAlive: Bool
    /// `Expect: 100-continue` on HTTP/1.1 (RFC 9110 §10.1.1; HTTP/1.0 expectations are ignored).
    var expectsContinue: Bool

    init(_ line: RequestHeadScanner.RequestLine, _ fields: [HTTPHeaders.Field]) throws(RequestFailure) {
        let headers = HTTPHeaders(fields)
        let isHTTP11 = line.version == .http11

        // RFC 9112 §3.2: a 1.1 request carries exactly one Host; more than one is an error in any version.
        let hosts = headers.values("Host")
        if hosts.count > 1 || (isHTTP11 && hosts.isEmpty) { throw .badRequest("exactly one Host header is required") }
        if let host = hosts.first, !host.utf8.allSatisfy(ByteClass.isHostByte) { throw .badRequest("invalid Host header") }

        let (path, rawQuery) = try Self.splitTarget(line.target, method: line.method)
        let query: QueryParameters
        do { query = try PercentDecoding.decodeQuery(rawQuery) } catch { throw .reject(error) }

        framing = try Self.framing(headers, isHTTP11: isHTTP11)

        let connection = Self.tokens(headers.values("Connection"))
        keepAlive = isHTTP11 ? !connection.contains("close") : connection.contains("keep-alive") && !connection.contains("close")

        expectsContinue = false
        let expectations = Self.tokens(headers.values("Expect"))
        if isHTTP11 && !expectations.isEmpty {
            guard expectations == ["100-continue"] else { throw .expectationFailed }
            expectsContinue = true
        }

        request = HTTPRequest(method: HTTPMethod(line.method), target: line.target, path: path, query: query,
                              version: line.version, headers: headers)
    }

    /// RFC 9112 §3.2: origin-form (`/path?query`) or, for OPTIONS only, asterisk-form. We are
    /// not a proxy: absolute-form and authority-form get 400.
    private static func splitTarget(_ target: String, method: String) throws(RequestFailure) -> (path: String, query: Substring) {
        if target == "*" {
            guard method == "OPTIONS" else { throw .badRequest("the asterisk target is only valid for OPTIONS") }
            return ("*", "")
        }
        guard target.utf8.first == UInt8(ascii: "/") else {
            throw .badRequest("the request target must be a path starting with /")
        }
        guard let question = target.utf8.firstIndex(of: UInt8(ascii: "?")) else { return (target, "") }
        return (String(target[..<question]), target[target.index(after: question)...])
    }

    /// RFC 9112 §6.1-§6.3, strictly: both Content-Length and Transfer-Encoding, any coding but
    /// `chunked`, a chunked HTTP/1.0 request, or lengths that are malformed or disagree: 400.
    private static func framing(_ headers: HTTPHeaders, isHTTP11: Bool) throws(RequestFailure) -> BodyFraming {
        let lengths = headers.values("Content-Length")
        let codings = headers.values("Transfer-Encoding")
        if !codings.isEmpty {
            guard lengths.isEmpty else { throw .badRequest("both Content-Length and Transfer-Encoding") }
            guard isHTTP11 else { throw .badRequest("Transfer-Encoding is not allowed in HTTP/1.0") }
            guard tokens(codings) == ["chunked"] else { throw .badRequest("only the chunked transfer coding is supported") }
            return .chunked
        }
        guard !lengths.isEmpty else { return .none }
        var length: Int?
        for value in lengths {
            for item in value.split(separator: ",", omittingEmptySubsequences: false) {
                let digits = item.trimmingWhitespace().utf8
                guard !digits.isEmpty, digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
                    throw .badRequest("invalid Content-Length")
                }
                // More digits than an Int holds is a valid, huge length: over any limit.
                let parsed = digits.count > 18 ? Int.max : digits.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
                if let length, length != parsed { throw .badRequest("conflicting Content-Length values") }
                length = parsed
            }
        }
        return length.map { $0 == 0 ? .none : .length($0) } ?? .none
    }

    /// The comma-separated tokens of every value, trimmed and lowercased.
    private static func tokens(_ values: [String]) -> [String] {
        values.flatMap { $0.split(separator: ",") }.map { $0.trimmingWhitespace().lowercased() }.filter { !$0.isEmpty }
    }
}
