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
            if connection.state.closesAtShutdown(idleBetweenRequests: connection.inbound.isEmpty && connection.parser.isBetweenRequests) {
                close(connection)
            } else if connection.state.phase == .streaming {
                connection.stream?.close(final: shutdownRetryFrame())
            }
        }
    }
}
