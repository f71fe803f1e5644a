/// How a request is answered: at once, on the event loop that read it (no task, no thread
/// hop), or later, by a task on the cooperative pool (a handler that waits on I/O).
public enum HTTPAnswer: Sendable {
    case now(HTTPResponse)
    case later(@Sendable () async -> HTTPResponse)

    /// The response, waiting for it when it comes later.
    public func response() async -> HTTPResponse {
        switch self {
        case .now(let response): response
        case .later(let produce): await produce()
        }
    }
}
