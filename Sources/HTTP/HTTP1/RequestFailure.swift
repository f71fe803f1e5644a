/// Why the parser stopped reading a connection. Every case but the HTTP/2 preface is answered
/// with the API error JSON and `Connection: close`.
enum RequestFailure: Error, Equatable {
    case reject(APIError)
    /// `PRI * HTTP/2.0` (RFC 9113 §3.4): a client that tried HTTP/2 with prior knowledge.
    /// An HTTP/1.1 answer would be garbage to it: close without a word.
    case http2Preface

    var status: Int? {
        if case .reject(let error) = self { return error.status }
        return nil
    }

    static func badRequest(_ message: String) -> RequestFailure { .reject(.badRequest(message)) }

    static func uriTooLong(limit: Int) -> RequestFailure {
        .reject(APIError(status: 414, code: "uri_too_long", message: "the request line is longer than \(limit) bytes"))
    }

    static func headersTooLarge(_ message: String) -> RequestFailure {
        .reject(APIError(status: 431, code: "header_fields_too_large", message: message))
    }

    static func payloadTooLarge(limit: Int) -> RequestFailure {
        .reject(.payloadTooLarge("request body is larger than \(limit) bytes"))
    }

    static let expectationFailed = RequestFailure.reject(
        APIError(status: 417, code: "expectation_failed", message: "only Expect: 100-continue is supported"))

    static let versionNotSupported = RequestFailure.reject(
        APIError(status: 505, code: "http_version_not_supported", message: "only HTTP/1.0 and HTTP/1.1 are supported"))
}
