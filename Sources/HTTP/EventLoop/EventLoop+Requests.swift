extension EventLoop {
    private enum ReadOutcome {
        case data(Int)
        case endOfInput
        case nothing
        case failed
    }

    /// One read into the loop's buffer (level-triggered: if more is waiting, epoll says so again).
    private func receive(_ connection: Connection) -> ReadOutcome {
        do {
            switch try connection.socket.receive(into: readBuffer) {
            case .processed(0): return .endOfInput
            case .processed(let count): return .data(count)
            case .wouldBlock: return .nothing
            }
        } catch {
            return .failed
        }
    }

    func readable(_ connection: Connection) {
        switch connection.state.phase {
        case .reading:
            switch receive(connection) {
            case .data(let count):
                connection.inbound.append(UnsafeRawBufferPointer(rebasing: readBuffer[0..<count]))
                if connection.state.timer != .request { arm(connection, .request) }
                processInbound(connection)
            case .endOfInput:
                connection.state.inputClosed = true
                processInbound(connection)
            case .nothing:
                return
            case .failed:
                close(connection)
            }
        case .receiving:
            switch receive(connection) {
            case .data(let count):
                connection.inbound.append(UnsafeRawBufferPointer(rebasing: readBuffer[0..<count]))
                arm(connection, .request)  // a streamed body has the request timeout per stretch without progress
                receiveBody(connection)
            case .endOfInput:
                connection.state.inputClosed = true
                receiveBody(connection)
                if connection.state.phase == .receiving { abortUpload(connection, .badRequest("the client closed before the body was complete")) }
            case .nothing:
                return
            case .failed:
                close(connection)
            }
        case .handling, .writing:
            // Only EPOLLRDHUP is asked for now: the client shut down its side. Answer the
            // request in flight (and any complete one already buffered), then close.
            connection.state.inputClosed = true
            updateInterest(connection)
        case .streaming, .lingering:
            switch receive(connection) {
            case .data, .nothing: return  // nothing a client says on a stream matters
            case .endOfInput, .failed: close(connection)
            }
        }
    }

    /// Parses what is buffered: interim responses, a complete request, or an error answer.
    func processInbound(_ connection: Connection) {
        while connection.state.phase == .reading && !connection.state.isClosed {
            let outcome: RequestParser.Outcome
            do {
                outcome = try connection.parser.parse(&connection.inbound)
            } catch {
                switch error {
                case .http2Preface: close(connection)
                case .reject(let apiError): respondWithError(connection, apiError)
                }
                return
            }
            switch outcome {
            case .needMore:
                if connection.state.inputClosed {
                    close(connection)  // the request can never complete
                    return
                }
                let betweenRequests = connection.parser.isBetweenRequests && connection.inbound.isEmpty
                if let timer = connection.state.timerWhileReading(betweenRequests: betweenRequests) { arm(connection, timer) }
                updateInterest(connection)
                return
            case .sendContinue:
                connection.output.append(ResponseEncoder.continueResponse)
                flush(connection)
            case .request(let request, let keepAlive):
                // Answered on the spot: the loop goes on with the next buffered request once
                // the answer is written (`phase` is then `.reading` again).
                guard dispatch(request, keepAlive: keepAlive, on: connection) else { return }
            case .streamedRequest(let request, let keepAlive, let expectsContinue):
                dispatchStreamed(request, keepAlive: keepAlive, expectsContinue: expectsContinue, on: connection)
                return
            case .bodyPiece, .bodyEnd:
                preconditionFailure("a body piece outside a streamed request")
            }
        }
    }

    /// Asks the responder: an answer given now is written on the spot (true) unless
    /// `inline` is false (a streamed request, whose body phase the caller sets up next: the
    /// answer then comes through the inbox like a task's); else the task runs on the
    /// cooperative pool (false). Further pipelined requests wait in `inbound` until this one's
    /// response is written.
    @discardableResult
    func dispatch(_ parsed: HTTPRequest, keepAlive: Bool, inline: Bool = true, on connection: Connection) -> Bool {
        var request = parsed
        request.requestID = RequestID.resolve(received: request.headers["X-Request-Id"])
        request.remoteAddress = connection.remoteAddress
        connection.state.inFlight = ConnectionState.InFlight(isHEAD: request.method == .HEAD, keepAlive: keepAlive,
                                                  isHTTP10: request.version == .http10, requestID: request.requestID)
        connection.state.phase = .handling
        disarm(connection)
        let inbox = self.inbox, id = connection.id
        switch context.responder(request) {
        case .now(let response) where inline:
            // The connection's epoll interest ends where it started: no change to ask for
            // (two `epoll_ctl` calls per request saved).
            answeringImmediately = true
            deliver(response, to: id)
            answeringImmediately = false
            return true
        case .now(let response):
            inbox.post(.response(id, response))
        case .later(let produce):
            Task { inbox.post(.response(id, await produce())) }
        }
        updateInterest(connection)
        return false
    }

    /// A handler's response arrives: write it (or open the stream).
    func deliver(_ response: HTTPResponse, to id: ConnectionID) {
        guard let connection = connection(id), connection.state.phase == .handling || connection.state.phase == .receiving,
              var inFlight = connection.state.inFlight else {
            return  // the client went away meanwhile
        }
        if connection.state.phase == .receiving { endUploadEarly(connection, &inFlight) }
        connection.state.inFlight = nil
        connection.state.served += 1
        guard (200...599).contains(response.status) else {
            context.logger.error("handler returned an invalid status", ["status": .int(response.status), "request_id": .string(inFlight.requestID)])
            respondWithError(connection, .internalError())
            return
        }
        if case .eventStream(let onOpen) = response.body, !inFlight.isHEAD {
            openStream(connection, response, requestID: inFlight.requestID, onOpen: onOpen)
            return
        }
        // A client that shut down its side after pipelining still gets every answer: the
        // connection closes once no complete request is left (`processInbound`).
        let keepAlive = inFlight.keepAlive && !draining
        let persistence: ResponseEncoder.Persistence = keepAlive ? (inFlight.isHTTP10 ? .keepAliveHTTP10 : .keepAlive) : .close
        // RFC 9110 §6.4.1: no body for HEAD, 204 and 304 (HEAD still gets the GET's length).
        let hasBody = response.status != 204 && response.status != 304
        if case .streamed(let length, let produce) = response.body, hasBody {
            writeStreamed(connection, response, length: length, produce: inFlight.isHEAD ? nil : produce,
                          requestID: inFlight.requestID, persistence: persistence)
            return
        }
        if case .file(let region) = response.body, hasBody {
            writeResponse(connection, status: response.status, headers: response.headers, bodyLength: Int(region.length),
                          body: nil, file: inFlight.isHEAD ? nil : region, requestID: inFlight.requestID, persistence: persistence)
            return
        }
        let body = response.bodyBytes
        writeResponse(connection, status: response.status, headers: response.headers,
                      bodyLength: hasBody ? body.count : nil, body: hasBody && !inFlight.isHEAD ? body : nil,
                      requestID: inFlight.requestID, persistence: persistence)
    }

    /// An error the engine answers itself (malformed, too large, too slow): the API error
    /// JSON, `Connection: close`, then a lingering close.
    func respondWithError(_ connection: Connection, _ error: APIError) {
        context.metrics.recordEngineResponse(status: error.status)
        let requestID = connection.state.inFlight?.requestID ?? RequestID.generate()
        context.logger.info("request rejected", [
            "request_id": .string(requestID), "status": .int(error.status), "code": .string(error.code),
            "reason": .string(error.message), "remote": .string(connection.remoteAddress),
        ])
        connection.state.inFlight = nil
        disarm(connection)
        let response = error.response()
        writeResponse(connection, status: response.status, headers: response.headers, bodyLength: response.bodyBytes.count,
                      body: response.bodyBytes, requestID: requestID, persistence: .close)
    }

    /// Writes the head (with `body` when it is in memory), then `file`'s bytes when the body is a file.
    func writeResponse(_ connection: Connection, status: Int, headers: HTTPHeaders, bodyLength: Int?, body: [UInt8]?,
                       file: FileRegion? = nil, requestID: String, persistence: ResponseEncoder.Persistence) {
        var dropped = 0
        let bytes = ResponseEncoder.encode(status: status, headers: headers, bodyLength: bodyLength, body: body,
                                           requestID: requestID, persistence: persistence,
                                           date: dateCache.current(), droppedFields: &dropped)
        if dropped > 0 {
            context.logger.warning("dropped response header fields that were not safe to write",
                                   ["request_id": .string(requestID), "count": .int(dropped)])
        }
        connection.output.append(bytes)
        if let file { connection.output.append(file) }
        connection.state.phase = .writing
        connection.state.closeWhenFlushed = persistence == .close
        flush(connection)
    }
}
