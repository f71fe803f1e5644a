import Glibc

extension EventLoop {
    /// Accepts a batch of connections (the listener is level-triggered: more wake us again).
    func acceptConnections() {
        for _ in 0..<64 {
            let accepted: IOResult<(Socket, SocketAddress)>
            do {
                accepted = try context.listener.accept()
            } catch {
                acceptFailed(error)
                return
            }
            guard case .processed(let (socket, address)) = accepted else { return }
            guard !draining else {
                socket.close()
                continue
            }
            guard context.reserveConnection() else {
                refuse(socket)
                continue
            }
            register(socket, remoteAddress: address.description)
        }
    }

    private func register(_ socket: Socket, remoteAddress: String) {
        socket.setNoDelay()
        let id = allocateID()
        let connection = Connection(id: id, socket: socket, remoteAddress: remoteAddress,
                                    parser: RequestParser(configuration: context.parser),
                                    interest: [.readable, .readHangup])
        do {
            try epoll.add(socket.fd, interest: connection.interest, token: id.token)
        } catch {
            context.logger.error("cannot watch a new connection", ["error": .string(error.description)])
            socket.close()
            context.releaseConnection()
            return
        }
        insert(connection)
        context.metrics.openConnections?.add(1)
        // The request timeout runs from the connection's opening: a client that connects and
        // sends nothing is cut off like one that sends slowly.
        arm(connection, .request)
    }

    /// Over `maxConnections`: a 503 in the API error shape, then close. What the client may
    /// already have sent is read and dropped first, so the close does not reset the answer away.
    private func refuse(_ socket: Socket) {
        context.metrics.rejectedConnections?.increment()
        context.metrics.recordEngineResponse(status: 503)
        _ = try? socket.receive(into: readBuffer)
        let response = APIError.unavailable("the server is at its connection limit; retry later").response()
        var dropped = 0
        let bytes = ResponseEncoder.encode(status: 503, headers: response.headers, bodyLength: response.bodyBytes.count,
                                           body: response.bodyBytes, requestID: RequestID.generate(),
                                           persistence: .close, date: dateCache.current(), droppedFields: &dropped)
        _ = bytes.withUnsafeBytes { try? socket.send($0) }
        socket.shutdownWrite()
        socket.close()
        if now &- lastCapacityWarning > 1_000_000_000 {
            lastCapacityWarning = now
            context.logger.warning("connection limit reached; refusing connections",
                                   ["max_connections": .int(context.configuration.maxConnections)])
        }
    }

    /// Out of descriptors: free the reserve one, accept and drop a connection, take it back.
    /// Anything else: log and let the next wake-up retry.
    private func acceptFailed(_ error: SocketError) {
        switch error.errno {
        case EMFILE, ENFILE:
            if reserveFD >= 0 {
                _ = Glibc.close(reserveFD)
                if case .processed(let (socket, _))? = try? context.listener.accept() { socket.close() }
                reserveFD = open("/dev/null", O_RDONLY | O_CLOEXEC)
            }
            if now &- lastCapacityWarning > 1_000_000_000 {
                lastCapacityWarning = now
                context.logger.error("out of file descriptors; dropping new connections", ["error": .string(error.description)])
            }
        case ECONNABORTED, EPROTO, EPERM:
            return
        default:
            context.logger.error("accept failed", ["error": .string(error.description)])
        }
    }
}

extension HTTPResponse {
    /// The bytes of a `.bytes` body (an event stream has none).
    var bodyBytes: [UInt8] {
        if case .bytes(let bytes) = body { return bytes }
        return []
    }
}
