extension EventLoop {
    /// Writes what is queued; asks for `EPOLLOUT` only while something is left.
    func flush(_ connection: Connection) {
        guard !connection.state.isClosed else { return }
        if !connection.output.isEmpty {
            let result: OutputQueue.FlushResult
            do {
                result = try connection.output.flush(to: connection.socket, iovecs: iovecs)
            } catch {
                close(connection)
                return
            }
            if result.written > 0 {
                context.metrics.bytesWritten?.increment(by: result.written)
                connection.state.wroteSinceHeartbeat = true
            }
            if result.eventBytesWritten > 0 {
                connection.stream?.didWrite(result.eventBytesWritten)
                connection.bodyWriter?.didWrite(result.eventBytesWritten)
            }
            if !connection.output.isEmpty {
                // A response stuck behind a client that does not read is dropped after the
                // idle timeout without progress (streams have their own check, at heartbeats).
                if connection.state.rearmsIdleWhileWriting(wroteBytes: result.written > 0) { arm(connection, .idle) }
                updateInterest(connection)
                return
            }
        }
        updateInterest(connection)
        outputDrained(connection)
    }

    private func outputDrained(_ connection: Connection) {
        if connection.bodyWriter != nil { return }  // more of a streamed body is coming
        switch connection.state.outputDrained(draining: draining) {
        case .lingeringClose:
            lingeringClose(connection)
        case .readNext:
            disarm(connection)
            // A pipelined request may be waiting (`processInbound` reads it itself when this
            // answer was given from inside it).
            if !answeringImmediately { processInbound(connection) }
        case .close:
            close(connection)
        case .none:
            break
        }
    }

    /// Registers the epoll interest the connection needs now (`ConnectionState.interest`).
    func updateInterest(_ connection: Connection) {
        guard !connection.state.isClosed else { return }
        let interest = connection.state.interest(outputPending: !connection.output.isEmpty)
        guard interest != connection.interest else { return }
        do {
            try epoll.modify(connection.socket.fd, interest: interest, token: connection.id.token)
            connection.interest = interest
        } catch {
            close(connection)
        }
    }

    /// Shuts down our side and reads (and drops) whatever the client still sends until it
    /// closes or the linger time passes, so our last response is not lost to a reset.
    func lingeringClose(_ connection: Connection) {
        connection.socket.shutdownWrite()
        guard !connection.state.inputClosed else {
            close(connection)
            return
        }
        connection.state.phase = .lingering
        connection.inbound = InboundBuffer()
        arm(connection, .linger)
        updateInterest(connection)
    }

    /// Closes at once; ends the connection's stream (running its callbacks here).
    func close(_ connection: Connection, streamEnding: EventStream.Ending = .connectionClosed) {
        guard !connection.state.isClosed else { return }
        connection.state.isClosed = true
        disarm(connection)
        epoll.remove(connection.socket.fd)
        connection.socket.close()
        connection.output.removeAll()
        connection.upload?.fail(.badRequest("the connection closed before the body was complete"))
        connection.bodyWriter?.cancel()
        remove(connection)
        context.releaseConnection()
        context.metrics.openConnections?.add(-1)
        if let stream = connection.stream {
            connection.stream = nil
            context.metrics.openStreams?.add(-1)
            if stream.finish(otherwise: streamEnding) == .slowConsumer {
                context.metrics.slowConsumerDisconnects?.increment()
                context.logger.info("stream closed: the client did not keep up", [
                    "stream_id": .int(stream.id), "remote": .string(connection.remoteAddress),
                ])
            }
        }
    }

    func closeAll() {
        for connection in connections.compactMap({ $0 }) { close(connection) }
    }
}
