import Synchronization

/// The body of a request on a streamed route (`Router.add(..., streamedBody: true)`), handed
/// to its handler in pieces while the client is still sending. Thread-safe.
///
/// Backpressure: the event loop stops reading the socket once `highWaterBytes` wait here
/// unread, and starts again when the handler has taken them below half of that; a slow
/// consumer (the database) slows the client down instead of growing memory.
///
/// ```swift
/// while let piece = try await request.bodyStream!.next() { store(piece) }
/// ```
public final class RequestBodyStream: Sendable {
    /// Bytes that may wait unread before the loop pauses the connection (two reads' worth).
    static let highWaterBytes = 128 << 10

    private struct State {
        var pieces: [[UInt8]] = []
        var first = 0
        var bufferedBytes = 0
        var ended = false
        var failure: APIError?
        /// The loop stopped reading because `highWaterBytes` were waiting.
        var paused = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private enum Step {
        case piece([UInt8], resume: Bool)
        case end
        case failed(APIError)
        case wait
    }

    let connection: ConnectionID
    private let inbox: LoopInbox
    private let state = Mutex(State())

    init(connection: ConnectionID, inbox: LoopInbox) {
        self.connection = connection
        self.inbox = inbox
    }

    /// The next piece of the body, nil at its end. Throws the error the engine would have
    /// answered with: 413 (a chunked body past the limit), 400 (broken framing, or the client
    /// closed before the end), 408 (no progress within the request timeout). The handler
    /// returns that error's response; the connection is closed after it.
    public func next() async throws(APIError) -> [UInt8]? {
        while true {
            let step = state.withLock { state -> Step in
                if let failure = state.failure { return .failed(failure) }
                if state.first < state.pieces.count {
                    let piece = state.pieces[state.first]
                    state.pieces[state.first] = []
                    state.first += 1
                    if state.first == state.pieces.count {
                        state.pieces.removeAll(keepingCapacity: true)
                        state.first = 0
                    }
                    state.bufferedBytes -= piece.count
                    let resume = state.paused && state.bufferedBytes <= Self.highWaterBytes / 2
                    if resume { state.paused = false }
                    return .piece(piece, resume: resume)
                }
                return state.ended ? .end : .wait
            }
            switch step {
            case .piece(let piece, let resume):
                if resume { inbox.post(.uploadDemand(connection)) }
                return piece
            case .end:
                return nil
            case .failed(let error):
                throw error
            case .wait:
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    let ready = state.withLock { state -> Bool in
                        if state.first < state.pieces.count || state.ended || state.failure != nil { return true }
                        state.waiter = continuation
                        return false
                    }
                    if ready { continuation.resume() }
                }
            }
        }
    }
}

/// The loop's side.
extension RequestBodyStream {
    /// Adds a piece; false when the loop must stop reading until `.uploadDemand` comes.
    func push(_ piece: [UInt8]) -> Bool {
        let (keepReading, waiter) = state.withLock { state -> (Bool, CheckedContinuation<Void, Never>?) in
            state.pieces.append(piece)
            state.bufferedBytes += piece.count
            if state.bufferedBytes >= Self.highWaterBytes { state.paused = true }
            defer { state.waiter = nil }
            return (!state.paused, state.waiter)
        }
        waiter?.resume()
        return keepReading
    }

    /// The body is complete.
    func finish() {
        state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.ended = true
            defer { state.waiter = nil }
            return state.waiter
        }?.resume()
    }

    /// The body will not complete; `next()` throws `error` from now on (pieces not yet taken
    /// are dropped).
    func fail(_ error: APIError) {
        state.withLock { state -> CheckedContinuation<Void, Never>? in
            if state.failure == nil && !state.ended { state.failure = error }
            state.pieces = []
            state.first = 0
            state.bufferedBytes = 0
            defer { state.waiter = nil }
            return state.waiter
        }?.resume()
    }
}
