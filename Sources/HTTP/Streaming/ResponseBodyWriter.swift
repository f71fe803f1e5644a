import Synchronization

/// Where a streamed response body (`HTTPResponse.Body.streamed`) is written, piece by piece,
/// by its producer. Thread-safe.
///
/// `write` waits while more than `highWaterBytes` are queued but not yet taken by the socket,
/// so a slow client slows the producer (a database read) instead of growing memory; it
/// returns false once the connection is gone, and the producer should stop.
public final class ResponseBodyWriter: Sendable {
    static let highWaterBytes = 256 << 10

    private struct State {
        var pending: [EventBytes] = []
        /// Bytes accepted by `write` and not yet written to the socket.
        var bufferedBytes = 0
        var writtenTotal = 0
        var scheduled = false
        var done = false
        var closed = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    let connection: ConnectionID
    /// The Content-Length announced; a producer that writes another amount gets its
    /// connection closed (the client sees a truncated body, never a wrong one).
    let length: Int
    private let inbox: LoopInbox
    private let state = Mutex(State())

    init(connection: ConnectionID, length: Int, inbox: LoopInbox) {
        self.connection = connection
        self.length = length
        self.inbox = inbox
    }

    /// Queues `bytes`; returns when there is room for more. False once the client is gone.
    public func write(_ bytes: [UInt8]) async -> Bool {
        let (accepted, wake) = state.withLock { state -> (Bool, Bool) in
            guard !state.closed, !state.done, state.writtenTotal + bytes.count <= length else { return (false, false) }
            state.pending.append(EventBytes(bytes))
            state.bufferedBytes += bytes.count
            state.writtenTotal += bytes.count
            return (true, Self.schedule(&state))
        }
        if wake { inbox.post(.bodyActivity(self)) }
        guard accepted else { return false }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let room = state.withLock { state -> Bool in
                if state.closed || state.bufferedBytes <= Self.highWaterBytes { return true }
                state.waiter = continuation
                return false
            }
            if room { continuation.resume() }
        }
        return state.withLock { !$0.closed }
    }

    private static func schedule(_ state: inout State) -> Bool {
        if state.scheduled { return false }
        state.scheduled = true
        return true
    }
}

/// The engine's side.
extension ResponseBodyWriter {
    /// The producer returned: the body ends with what was written.
    func finish() {
        let wake = state.withLock { state -> Bool in
            state.done = true
            return Self.schedule(&state)
        }
        if wake { inbox.post(.bodyActivity(self)) }
    }

    /// Takes the queued bytes; `complete` once the producer is done and nothing is left, and
    /// `exact` whether it wrote exactly `length` bytes.
    func takePending() -> (chunks: [EventBytes], complete: Bool, exact: Bool) {
        state.withLock { state in
            state.scheduled = false
            defer { state.pending = [] }
            return (state.pending, state.done, state.writtenTotal == length)
        }
    }

    /// `count` body bytes reached the socket.
    func didWrite(_ count: Int) {
        state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.bufferedBytes -= count
            guard state.bufferedBytes <= Self.highWaterBytes / 2 else { return nil }
            defer { state.waiter = nil }
            return state.waiter
        }?.resume()
    }

    /// The connection closed: `write` returns false from now on.
    func cancel() {
        state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.closed = true
            state.pending = []
            defer { state.waiter = nil }
            return state.waiter
        }?.resume()
    }
}
