/// The HTTP/1.1 request parser (RFC 9112) as a state machine over a connection's inbound
/// bytes: `parse` consumes what it can and says what the connection should do next. It does
/// no I/O, so every rule is tested by feeding it bytes.
///
/// Hard limits apply as bytes arrive (request line, header section, header count, body), so
/// nothing over a limit is ever buffered; a body over its limit is refused from its declared
/// length before it is read.
struct RequestParser {
    struct Configuration: Sendable {
        var limits: RequestHeadScanner.Limits
        /// The largest body accepted for a method and path (the route's limit), and whether
        /// the route takes it streamed.
        var bodyRule: @Sendable (HTTPMethod, String) -> RequestBodyRule
    }

    enum Outcome {
        /// Nothing complete yet: read more.
        case needMore
        /// The head asked for `100 Continue` and its body will be accepted: send the interim
        /// response, then call `parse` again.
        case sendContinue
        /// A complete request (the body is in `request.body`).
        case request(HTTPRequest, keepAlive: Bool)
        /// The head of a request whose route streams its body: the handler starts now, the
        /// body follows as `bodyPiece`s and one `bodyEnd` (`expectsContinue`: the client
        /// waits for `100 Continue` before sending it).
        case streamedRequest(HTTPRequest, keepAlive: Bool, expectsContinue: Bool)
        case bodyPiece([UInt8])
        case bodyEnd
    }

    private enum State {
        case head(RequestHeadScanner)
        case body(Pending, remaining: Int)
        case chunked(Pending, ChunkedBodyDecoder)
        /// A streamed body: what is left of a declared length, or chunks counted against the limit.
        case streamedBody(remaining: Int)
        case streamedChunked(ChunkedBodyDecoder, limit: Int, received: Int)
        case streamedEnd
        case failed
    }

    /// A head waiting for its body.
    private struct Pending {
        var head: RequestHead
        var limit: Int
        var body: [UInt8] = []
        var mayContinue: Bool
    }

    let configuration: Configuration
    private var state = State.head(RequestHeadScanner())

    init(configuration: Configuration) { self.configuration = configuration }

    /// True between requests, before any byte of the next one (the idle timeout applies
    /// then; once a byte arrives the header timeout does).
    var isBetweenRequests: Bool {
        if case .head(let scanner) = state { return !scanner.hasStarted }
        return false
    }

    /// Consumes bytes from `buffer`. After a thrown failure the parser stays failed: the
    /// connection answers and closes.
    mutating func parse(_ buffer: inout InboundBuffer) throws(RequestFailure) -> Outcome {
        do {
            return try step(&buffer)
        } catch {
            state = .failed
            throw error
        }
    }

    private mutating func step(_ buffer: inout InboundBuffer) throws(RequestFailure) -> Outcome {
        switch state {
        case .head(var scanner):
            let limits = configuration.limits
            let outcome = try buffer.withReadableBytes { (bytes) throws(RequestFailure) in try scanner.scan(bytes, limits: limits) }
            guard case .complete(let line, let fields, let length) = outcome else {
                state = .head(scanner)
                return .needMore
            }
            buffer.consume(length)
            return try begin(RequestHead(line, fields), &buffer)
        case .body(var pending, let remaining):
            state = .failed  // the body moves out of the state while it grows: no copy
            if pending.mayContinue && buffer.isEmpty {
                pending.mayContinue = false
                state = .body(pending, remaining: remaining)
                return .sendContinue
            }
            let count = min(remaining, buffer.readableCount)
            buffer.withReadableBytes { bytes in pending.body.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[0..<count])) }
            buffer.consume(count)
            guard count == remaining else {
                pending.mayContinue = false
                state = .body(pending, remaining: remaining - count)
                return .needMore
            }
            return finish(pending)
        case .chunked(var pending, var decoder):
            if pending.mayContinue && buffer.isEmpty {
                pending.mayContinue = false
                state = .chunked(pending, decoder)
                return .sendContinue
            }
            pending.mayContinue = false
            state = .failed  // the body moves out of the state while it grows: no copy
            let done = try decoder.decode(&buffer, into: &pending.body, limit: pending.limit,
                                          maxTrailerBytes: configuration.limits.maxHeaderBytes)
            guard done else {
                state = .chunked(pending, decoder)
                return .needMore
            }
            return finish(pending)
        case .streamedBody(let remaining):
            let count = min(remaining, buffer.readableCount)
            guard count > 0 else { return .needMore }
            let piece = buffer.withReadableBytes { Array(UnsafeBufferPointer(rebasing: $0[0..<count])) }
            buffer.consume(count)
            state = count == remaining ? .streamedEnd : .streamedBody(remaining: remaining - count)
            return .bodyPiece(piece)
        case .streamedChunked(var decoder, let limit, let received):
            state = .failed
            var piece: [UInt8] = []
            let done = try decoder.decode(&buffer, into: &piece, limit: limit - received,
                                          maxTrailerBytes: configuration.limits.maxHeaderBytes)
            state = done ? .streamedEnd : .streamedChunked(decoder, limit: limit, received: received + piece.count)
            if !piece.isEmpty { return .bodyPiece(piece) }
            return done ? try step(&buffer) : .needMore
        case .streamedEnd:
            state = .head(RequestHeadScanner())
            return .bodyEnd
        case .failed:
            preconditionFailure("parse called after a failure")
        }
    }

    /// Chooses how to read the body of a complete head.
    private mutating func begin(_ head: RequestHead, _ buffer: inout InboundBuffer) throws(RequestFailure) -> Outcome {
        let rule = configuration.bodyRule(head.request.method, head.request.path)
        let limit = rule.limit
        if rule.streamed { return try beginStreamed(head, limit: limit) }
        let pending = Pending(head: head, limit: limit, mayContinue: head.expectsContinue)
        switch head.framing {
        case .none:
            return finish(pending)
        case .length(let length):
            // Refused from the declared length: the body is never read (RFC 9110 §15.5.14).
            guard length <= limit else { throw .payloadTooLarge(limit: limit) }
            var pending = pending
            pending.body.reserveCapacity(length)
            state = .body(pending, remaining: length)
        case .chunked:
            state = .chunked(pending, ChunkedBodyDecoder())
        }
        return try step(&buffer)
    }

    /// A streamed route: the head goes to the handler at once; the body follows in pieces.
    private mutating func beginStreamed(_ head: RequestHead, limit: Int) throws(RequestFailure) -> Outcome {
        switch head.framing {
        case .none:
            state = .streamedEnd
        case .length(let length):
            guard length <= limit else { throw .payloadTooLarge(limit: limit) }
            state = length == 0 ? .streamedEnd : .streamedBody(remaining: length)
        case .chunked:
            state = .streamedChunked(ChunkedBodyDecoder(), limit: limit, received: 0)
        }
        return .streamedRequest(head.request, keepAlive: head.keepAlive, expectsContinue: head.expectsContinue)
    }

    private mutating func finish(_ pending: Pending) -> Outcome {
        state = .head(RequestHeadScanner())
        var request = pending.head.request
        request.body = pending.body
        return .request(request, keepAlive: pending.head.keepAlive)
    }
}
