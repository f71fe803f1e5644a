import Glibc

extension EventLoop {
    /// Shared by every stream: a comment that browsers ignore and proxies see as traffic.
    static let heartbeatFrame = SSEFrame.comment("ping")

    /// Writes the event-stream head, then hands the stream to `onOpen` (on this thread).
    func openStream(_ connection: Connection, _ response: HTTPResponse, requestID: String,
                    onOpen: @Sendable (EventStream) -> Void) {
        let configuration = context.configuration
        let stream = EventStream(id: context.makeStreamID(), connection: connection.id, inbox: inbox,
                                 maxBufferedBytes: configuration.sseMaxBufferedBytes)
        var headers = response.headers
        headers.set("Content-Type", "text/event-stream")
        headers.set("Cache-Control", "no-cache")
        headers.set("X-Accel-Buffering", "no")
        var dropped = 0
        connection.output.append(ResponseEncoder.encode(
            status: response.status, headers: headers, bodyLength: nil, body: nil, requestID: requestID,
            persistence: .untilClose, date: dateCache.current(), droppedFields: &dropped))
        try? connection.socket.setOption(SOL_SOCKET, SO_SNDBUF, Int32(clamping: configuration.sseSocketSendBufferBytes))
        connection.state.phase = .streaming
        connection.stream = stream
        connection.inbound = InboundBuffer()
        context.metrics.openStreams?.add(1)
        arm(connection, .heartbeat)
        flush(connection)
        onOpen(stream)
        if draining { stream.close(final: shutdownRetryFrame()) }
    }

    /// A stream was sent to or closed by its owner: move its bytes to the socket.
    func streamActivity(_ stream: EventStream) {
        let (chunks, ending) = stream.takePending()
        guard let connection = connection(stream.connection), connection.stream === stream else { return }
        for chunk in chunks { connection.output.append(chunk) }
        switch ending {
        case .slowConsumer?:
            close(connection)
            return
        case .requested?:
            connection.state.closeWhenFlushed = true
        case .connectionClosed?, nil:
            break
        }
        flush(connection)
    }

    /// Every `sseHeartbeatInterval`: a ping, unless the client has not taken a byte since the
    /// last one while output waits (a stalled reader: closed as a slow consumer).
    func heartbeat(_ connection: Connection) {
        guard let stream = connection.stream else { return }
        guard connection.state.heartbeat(outputPending: !connection.output.isEmpty) else {
            close(connection, streamEnding: .slowConsumer)
            return
        }
        arm(connection, .heartbeat)
        stream.send(Self.heartbeatFrame)
    }

    /// `retry: <ms>` with jitter, so clients of a stopping server come back spread out.
    func shutdownRetryFrame() -> EventBytes {
        SSEFrame.retry(milliseconds: Int.random(in: context.configuration.sseShutdownRetryMilliseconds))
    }
}
