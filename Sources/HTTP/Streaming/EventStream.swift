import Synchronization

/// One open Server-Sent Events response. Thread-safe: any thread may send or close.
///
/// `send` appends a reference to the shared bytes to the stream's pending output and wakes
/// its event loop (once per burst); it never blocks and never copies the bytes. When the
/// bytes sent but not yet written to the socket pass the configured bound
/// (`sseMaxBufferedBytes`), the stream is closed at once (a slow consumer: the client resumes
/// with `Last-Event-ID`), and `send` returns false from then on.
///
/// > Important: `onClose` callbacks run on the connection's event loop thread (except one
/// > registered after the close, which runs at once on the caller's): they must be quick and
/// > must not block. They never run while `send` is on the stack, so a callback may take a
/// > lock the sender holds.
public final class EventStream: Sendable {
    /// Unique within the process.
    public let id: Int

    /// Why a stream ended.
    enum Ending: Sendable, Equatable {
        /// `close()` was called; the final bytes are flushed first.
        case requested
        /// More than the bound was waiting to be written.
        case slowConsumer
        /// The client closed the connection, or the socket failed, or the server shut down.
        case connectionClosed
    }

    private struct State {
        var pending: [EventBytes] = []
        /// Bytes accepted by `send` and not yet written to the socket.
        var bufferedBytes = 0
        /// The loop has been told to come and take `pending`.
        var scheduled = false
        var ending: Ending?
        /// The loop closed the connection and ran the callbacks.
        var finished = false
        var callbacks: [@Sendable () -> Void] = []
    }

    let connection: ConnectionID
    private let inbox: LoopInbox
    private let maxBufferedBytes: Int
    private let state = Mutex(State())

    init(id: Int, connection: ConnectionID, inbox: LoopInbox, maxBufferedBytes: Int) {
        self.id = id
        self.connection = connection
        self.inbox = inbox
        self.maxBufferedBytes = maxBufferedBytes
    }

    /// Queues `bytes` for writing. False once the stream is closed (by either side), including
    /// when this very call would have passed the bound (the stream is then closed).
    @discardableResult
    public func send(_ bytes: EventBytes) -> Bool {
        let (accepted, wake) = state.withLock { state -> (Bool, Bool) in
            guard state.ending == nil else { return (false, false) }
            if state.bufferedBytes + bytes.bytes.count > maxBufferedBytes {
                state.ending = .slowConsumer
                state.pending = []
                return (false, Self.schedule(&state))
            }
            state.pending.append(bytes)
            state.bufferedBytes += bytes.bytes.count
            return (true, Self.schedule(&state))
        }
        if wake { inbox.post(.streamActivity(self)) }
        return accepted
    }

    /// Closes the stream after flushing what was sent and then `final` (e.g. a `retry:` frame).
    public func close(final: EventBytes? = nil) {
        let wake = state.withLock { state -> Bool in
            guard state.ending == nil else { return false }
            state.ending = .requested
            if let final { state.pending.append(final) }
            return Self.schedule(&state)
        }
        if wake { inbox.post(.streamActivity(self)) }
    }

    public var isClosed: Bool { state.withLock { $0.ending != nil || $0.finished } }

    /// Runs `body` once when the stream closes for any reason (client gone, bound exceeded,
    /// server shutdown, `close()`); at once if it is already closed.
    public func onClose(_ body: @escaping @Sendable () -> Void) {
        let runNow = state.withLock { state -> Bool in
            if state.finished { return true }
            state.callbacks.append(body)
            return false
        }
        if runNow { body() }
    }

    /// True when the caller must post `.streamActivity` (outside the lock).
    private static func schedule(_ state: inout State) -> Bool {
        if state.scheduled { return false }
        state.scheduled = true
        return true
    }
}

/// The loop's side of a stream.
extension EventStream {
    /// Takes the bytes to write and how the stream should end, if it should.
    func takePending() -> (chunks: [EventBytes], ending: Ending?) {
        state.withLock { state in
            state.scheduled = false
            defer { state.pending = [] }
            return (state.pending, state.ending)
        }
    }

    /// `count` event bytes reached the socket.
    func didWrite(_ count: Int) {
        state.withLock { $0.bufferedBytes -= count }
    }

    /// The connection is closed: ends the stream for good and runs the callbacks (on the loop).
    /// Returns how it ended (`otherwise` if nobody had ended it yet).
    @discardableResult
    func finish(otherwise: Ending) -> Ending {
        let (ending, callbacks) = state.withLock { state -> (Ending, [@Sendable () -> Void]) in
            let ending = state.ending ?? otherwise
            state.ending = ending
            state.finished = true
            state.pending = []
            defer { state.callbacks = [] }
            return (ending, state.callbacks)
        }
        for callback in callbacks { callback() }
        return ending
    }
}
