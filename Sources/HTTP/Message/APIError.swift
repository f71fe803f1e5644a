import Foundation

/// The one error type handlers throw. The server renders it in the docs/api.md shape:
/// `{"error": {"code": "...", "message": "...", "field": "..."}}` plus any `extra` members
/// (for example `conversation_id` on a 409). Nothing else a handler throws reaches a client:
/// any other error becomes a generic 500 and a log line.
public struct APIError: Error, Sendable, Equatable, CustomStringConvertible {
    public var status: Int
    public var code: String
    public var message: String
    public var field: String?
    /// Extra string members of the `error` object (docs/api.md: a 409 names `conversation_id`).
    public var extra: [String: String]
    /// Extra response headers (`Retry-After`, `Allow`).
    public var headers: [String: String]

    public init(status: Int, code: String, message: String, field: String? = nil,
                extra: [String: String] = [:], headers: [String: String] = [:]) {
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.extra = extra
        self.headers = headers
    }

    public var description: String { "\(status) \(code): \(message)" + (field.map { " (\($0))" } ?? "") }

    public static func badRequest(_ message: String) -> APIError { .init(status: 400, code: "bad_request", message: message) }
    public static func unauthorized(_ message: String = "missing or invalid credential") -> APIError { .init(status: 401, code: "unauthorized", message: message) }
    public static func forbidden(_ message: String = "not allowed") -> APIError { .init(status: 403, code: "forbidden", message: message) }
    public static func sendForbidden(_ message: String = "only admins can send messages in this conversation") -> APIError { .init(status: 403, code: "send_forbidden", message: message) }
    public static func notFound(_ message: String = "not found") -> APIError { .init(status: 404, code: "not_found", message: message) }
    public static func methodNotAllowed(allow: [String]) -> APIError {
        .init(status: 405, code: "method_not_allowed", message: "method not allowed", headers: ["Allow": allow.joined(separator: ", ")])
    }
    public static func conflict(_ message: String, extra: [String: String] = [:]) -> APIError { .init(status: 409, code: "conflict", message: message, extra: extra) }
    public static func payloadTooLarge(_ message: String = "request body is larger than 65536 bytes") -> APIError { .init(status: 413, code: "payload_too_large", message: message) }
    public static func unsupportedMediaType(_ message: String = "the body must be application/json") -> APIError { .init(status: 415, code: "unsupported_media_type", message: message) }
    public static func invalid(_ field: String, _ message: String) -> APIError { .init(status: 422, code: "invalid", message: message, field: field) }
    public static func rateLimited(retryAfterSeconds: Int) -> APIError {
        .init(status: 429, code: "rate_limited", message: "too many requests; retry later", headers: ["Retry-After": String(max(1, retryAfterSeconds))])
    }
    /// 503 with `Retry-After: 1`: the database is away (a restart, a failover); clients retry soon.
    public static func unavailable(_ message: String = "the service is temporarily unavailable") -> APIError {
        .init(status: 503, code: "unavailable", message: message, headers: ["Retry-After": "1"])
    }
    public static func internalError() -> APIError { .init(status: 500, code: "internal", message: "internal error") }

    /// The JSON body of the error, built by hand so its shape never depends on an encoder.
    public var jsonBody: [UInt8] {
        var members: [(String, String)] = [("code", code), ("message", message)]
        if let field { members.append(("field", field)) }
        for key in extra.keys.sorted() { members.append((key, extra[key]!)) }
        let inner = members.map { "\(JSONString.quote($0.0)):\(JSONString.quote($0.1))" }.joined(separator: ",")
        return Array("{\"error\":{\(inner)}}".utf8)
    }

    public func response() -> HTTPResponse {
        var headers = HTTPHeaders()
        headers.set("Content-Type", "application/json")
        for (name, value) in self.headers.sorted(by: { $0.key < $1.key }) { headers.set(name, value) }
        return HTTPResponse(status: status, headers: headers, body: .bytes(jsonBody))
    }
}

/// JSON string literal quoting (RFC 8259 §7).
public enum JSONString {
    public static func quote(_ s: String) -> String {
        var out = "\""
        out.reserveCapacity(s.utf8.count + 2)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                out += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count) + String(scalar.value, radix: 16)
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
        return out
    }
}
