import Foundation

/// A response a handler returns: a complete body, or an event stream that stays open.
public struct HTTPResponse: Sendable {
    public enum Body: Sendable {
        case bytes([UInt8])
        /// Server-Sent Events: the server writes the status line and headers (no length),
        /// then calls `onOpen` once with the stream; the stream stays open until either side
        /// closes it. `onOpen` must not block: register the stream somewhere and return.
        case eventStream(onOpen: @Sendable (EventStream) -> Void)
        /// A body of `length` bytes that `produce` writes in pieces after the head is sent
        /// (downloads: never whole in memory). A producer that writes another amount gets the
        /// connection closed. Not called for `HEAD`.
        case streamed(length: Int, produce: @Sendable (ResponseBodyWriter) async -> Void)
        /// Part of a file, sent by the kernel (`sendfile`); its length is the region's.
        case file(FileRegion)
    }

    public var status: Int
    public var headers: HTTPHeaders
    public var body: Body

    public init(status: Int, headers: HTTPHeaders = .init(), body: Body = .bytes([])) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// Shared by every JSON response: compact, no escaped slashes.
    static let jsonEncoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return encoder
    }()

    /// A JSON response. Encoding our own models cannot fail; if it does, that is a bug and
    /// the client gets a generic 500 rather than a half-written body.
    public static func json<T: Encodable>(_ status: Int = 200, _ value: T, headers: HTTPHeaders = .init()) -> HTTPResponse {
        var headers = headers
        headers.set("Content-Type", "application/json")
        guard let data = try? jsonEncoder.encode(value) else {
            return APIError.internalError().response()
        }
        return HTTPResponse(status: status, headers: headers, body: .bytes(Array(data)))
    }

    /// 204 with no body.
    public static func noContent(headers: HTTPHeaders = .init()) -> HTTPResponse {
        HTTPResponse(status: 204, headers: headers)
    }

    /// A plain-text response (`/metrics`, `/healthz`).
    public static func text(_ status: Int = 200, _ text: String, contentType: String = "text/plain; charset=utf-8") -> HTTPResponse {
        var headers = HTTPHeaders()
        headers.set("Content-Type", contentType)
        return HTTPResponse(status: status, headers: headers, body: .bytes(Array(text.utf8)))
    }

    /// A Server-Sent Events response (`text/event-stream`, `Cache-Control: no-cache`,
    /// `X-Accel-Buffering: no` are added by the server).
    public static func eventStream(headers: HTTPHeaders = .init(), onOpen: @escaping @Sendable (EventStream) -> Void) -> HTTPResponse {
        HTTPResponse(status: 200, headers: headers, body: .eventStream(onOpen: onOpen))
    }
}
