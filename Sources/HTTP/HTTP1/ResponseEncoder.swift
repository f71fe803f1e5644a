/// Writes response heads (RFC 9112 §4, §6). The engine owns framing: whatever a handler put
/// in `Content-Length`, `Transfer-Encoding`, `Connection`, `Keep-Alive` or `Date` is replaced,
/// and a field that could split the head (a name that is not a token, a value with CR, LF or
/// another control byte) is dropped, never written.
enum ResponseEncoder {
    /// How the connection continues after this response.
    enum Persistence {
        case keepAlive
        /// An HTTP/1.0 client that asked for keep-alive must be told it was granted.
        case keepAliveHTTP10
        case close
        /// An event stream: its end is the end of the connection (RFC 9112 §6.3 rule 8).
        case untilClose
    }

    private static let managedFields = ["content-length", "transfer-encoding", "connection", "keep-alive", "date"]

    /// The head of `response`, with the body appended when `includeBody` is true.
    /// `bodyLength` is nil when the body is delimited by closing the connection.
    static func encode(status: Int, headers: HTTPHeaders, bodyLength: Int?, body: [UInt8]?, requestID: String,
                       persistence: Persistence, date: [UInt8], droppedFields: inout Int) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256 + (body?.count ?? 0))
        out.append(contentsOf: "HTTP/1.1 \(status) \(ReasonPhrase.of(status))\r\n".utf8)
        out.append(contentsOf: "Date: ".utf8)
        out.append(contentsOf: date)
        out.append(contentsOf: "\r\n".utf8)
        var hasRequestID = false
        for field in headers {
            let lowered = field.name.lowercased()
            if managedFields.contains(lowered) { continue }
            guard isSafe(field) else {
                droppedFields += 1
                continue
            }
            if lowered == "x-request-id" { hasRequestID = true }
            append(field.name, field.value, to: &out)
        }
        if !hasRequestID && !requestID.isEmpty { append("X-Request-Id", requestID, to: &out) }
        // RFC 9110 §8.6: no Content-Length on 1xx and 204 responses.
        if let bodyLength, status >= 200, status != 204 {
            append("Content-Length", String(bodyLength), to: &out)
        }
        switch persistence {
        case .keepAlive, .untilClose: break
        case .keepAliveHTTP10: append("Connection", "keep-alive", to: &out)
        case .close: append("Connection", "close", to: &out)
        }
        out.append(contentsOf: "\r\n".utf8)
        if let body { out.append(contentsOf: body) }
        return out
    }

    static let continueResponse: [UInt8] = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)

    private static func append(_ name: String, _ value: String, to out: inout [UInt8]) {
        out.append(contentsOf: name.utf8)
        out.append(contentsOf: ": ".utf8)
        out.append(contentsOf: value.utf8)
        out.append(contentsOf: "\r\n".utf8)
    }

    private static func isSafe(_ field: HTTPHeaders.Field) -> Bool {
        !field.name.isEmpty && field.name.utf8.allSatisfy(ByteClass.isTokenChar)
            && field.value.utf8.allSatisfy(ByteClass.isFieldValueByte)
    }
}
