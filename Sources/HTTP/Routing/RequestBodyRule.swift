/// How a route takes its request body: up to `limit` bytes, either read whole into
/// `HTTPRequest.body` before the handler runs, or `streamed` to the handler in pieces through
/// `HTTPRequest.bodyStream` while it runs (uploads: memory stays bounded however large the
/// body and however many arrive at once).
public struct RequestBodyRule: Sendable, Equatable {
    public var limit: Int
    public var streamed: Bool

    public init(limit: Int, streamed: Bool = false) {
        self.limit = limit
        self.streamed = streamed
    }
}
