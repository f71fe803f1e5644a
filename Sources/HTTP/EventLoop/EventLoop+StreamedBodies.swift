/// Streamed bodies: a request body handed to its handler in pieces while it arrives
/// (`RequestBodyStream`), and a response body written in pieces by a producer
/// (`ResponseBodyWriter`). Both are bounded in memory by backpressure: the loop stops reading
/// a client whose handler lags, and a producer waits for a client that reads slowly.
extension EventLoop {
    /// Starts the handler on the head; the body is then read into its stream.
    func dispatchStreamed(_ request: HTTPRequest, keepAlive: Bool, expectsContinue: Bool, on connection: Connection) {
        let upload = RequestBodyStream(connection: connection.id, inbox: inbox)
        var request = request
        request.bodyStream = upload
        dispatch(request, keepAlive: keepAlive, inline: false, on: connection)
        connection.state.phase = .receiving
        connection.upload = upload
        connection.state.uploadPaused = false
        arm(connection, .request)
        if expectsContinue {
            connection.output.append(ResponseEncoder.continueResponse)
            flush(connection)
        }
        receiveBody(connection)
        updateInterest(connection)
    }

    /// Moves what is buffered into the body stream until it is full, the body ends, or more
    /// bytes are needed.
    func receiveBody(_ connection: Connection) {
        while connection.state.phase == .receiving, !connection.state.uploadPaused, let upload = connection.upload {
            let outcome: RequestParser.Outcome
            do {
                outcome = try connection.parser.parse(&connection.inbound)
            } catch {
                switch error {
                case .reject(let apiError): abortUpload(connection, apiError)
                case .http2Preface: abortUpload(connection, .badRequest("malformed body"))
                }
                return
            }
            switch outcome {
            case .bodyPiece(let piece):
                if !upload.push(piece) {
                    connection.state.uploadPaused = true
                    disarm(connection)  // waiting on our handler is not the client's delay
                }
            case .bodyEnd:
                upload.finish()
                connection.upload = nil
                connection.state.phase = .handling
                disarm(connection)
            case .needMore:
                break
            case .sendContinue, .request, .streamedRequest:
                preconditionFailure("a new request inside a streamed body")
            }
            if case .needMore = outcome { break }
        }
        updateInterest(connection)
    }

    /// The handler took enough of the body: read again.
    func uploadDemand(_ id: ConnectionID) {
        guard let connection = connection(id), connection.state.phase == .receiving, connection.state.uploadPaused else { return }
        connection.state.uploadPaused = false
        arm(connection, .request)
        receiveBody(connection)
    }

    /// The body will not complete (too large, malformed, too slow, client gone): the handler's
    /// `next()` throws `error`, its answer is written and the connection closed.
    func abortUpload(_ connection: Connection, _ error: APIError) {
        connection.upload?.fail(error)
        connection.upload = nil
        connection.state.phase = .handling
        connection.state.inputClosed = connection.state.inputClosed || error.status != 408
        disarm(connection)
        updateInterest(connection)
        if var inFlight = connection.state.inFlight {
            inFlight.keepAlive = false
            connection.state.inFlight = inFlight
        }
    }

    /// The handler answered before reading the whole body (e.g. 429, 503): the rest is never
    /// read, so the connection cannot carry another request.
    func endUploadEarly(_ connection: Connection, _ inFlight: inout ConnectionState.InFlight) {
        connection.upload?.fail(.badRequest("the handler answered before the body was read"))
        connection.upload = nil
        connection.state.phase = .handling
        inFlight.keepAlive = false
    }

    /// Writes the head with `length`, then lets `produce` write the body.
    func writeStreamed(_ connection: Connection, _ response: HTTPResponse, length: Int,
                       produce: (@Sendable (ResponseBodyWriter) async -> Void)?, requestID: String,
                       persistence: ResponseEncoder.Persistence) {
        if let produce {
            let writer = ResponseBodyWriter(connection: connection.id, length: length, inbox: inbox)
            connection.bodyWriter = writer
            Task {
                await produce(writer)
                writer.finish()
            }
        }
        writeResponse(connection, status: response.status, headers: response.headers, bodyLength: length, body: nil,
                      requestID: requestID, persistence: persistence)
    }

    /// A producer wrote or finished: move its bytes to the socket.
    func bodyActivity(_ writer: ResponseBodyWriter) {
        let (chunks, complete, exact) = writer.takePending()
        guard let connection = connection(writer.connection), connection.bodyWriter === writer else { return }
        for chunk in chunks { connection.output.append(chunk) }
        if complete {
            connection.bodyWriter = nil
            // A body shorter or longer than announced cannot be repaired: end the connection.
            if !exact { connection.state.closeWhenFlushed = true }
        }
        flush(connection)
    }
}
