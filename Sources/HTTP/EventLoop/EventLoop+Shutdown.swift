extension EventLoop {
    /// Graceful shutdown, on this loop: stop accepting, close idle connections, let requests
    /// in flight finish (their responses say `Connection: close`), end streams with a final
    /// `retry:`. The run loop exits when no connection is left, or closes the rest at `deadline`.
    func beginShutdown(deadline: UInt64) {
        guard !draining else { return }
        draining = true
        shutdownDeadline = deadline
        epoll.remove(context.listener.fd)
        for case let connection? in connections {
            switch connection.phase {
            case .reading where connection.inbound.isEmpty && connection.parser.isBetweenRequests:
                close(connection)
            case .streaming:
                connection.stream?.close(final: shutdownRetryFrame())
            case .reading, .handling, .receiving, .writing, .lingering:
                break
            }
        }
    }
}
