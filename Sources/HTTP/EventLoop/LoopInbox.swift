import CLinuxShims
import Glibc
import Synchronization

/// How other threads reach an event loop: a Mutex-protected list of messages and an eventfd
/// that wakes the loop. Wake-ups are coalesced: one eventfd write per burst, however many
/// handlers finish or streams are sent to before the loop runs again.
final class LoopInbox: Sendable {
    enum Message: Sendable {
        /// A handler's answer to the request in flight on `connection`.
        case response(ConnectionID, HTTPResponse)
        /// A stream has bytes to write or was closed by its owner.
        case streamActivity(EventStream)
        /// A streamed request body was read below its bound: read the socket again.
        case uploadDemand(ConnectionID)
        /// A streamed response body has bytes to write or is complete.
        case bodyActivity(ResponseBodyWriter)
        /// Stop accepting, finish what is in flight, close by `deadline` (monotonic ns).
        case beginShutdown(deadline: UInt64)
    }

    private struct State {
        var messages: [Message] = []
        var wakePending = false
        var closed = false
    }

    private let state = Mutex(State())
    /// Lives as long as the inbox (closed in `deinit`), so a late `post` can never write to a
    /// descriptor number that was closed and reused.
    let eventFD: Int32

    init() throws(SocketError) {
        eventFD = try syscallNoWait("eventfd") { eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC)) }
    }

    deinit { _ = Glibc.close(eventFD) }

    /// Queues `message` and wakes the loop if it is not already being woken. False when the
    /// loop has stopped (the message is dropped).
    @discardableResult
    func post(_ message: Message) -> Bool {
        let (accepted, wake) = state.withLock { state -> (Bool, Bool) in
            guard !state.closed else { return (false, false) }
            state.messages.append(message)
            if state.wakePending { return (true, false) }
            state.wakePending = true
            return (true, true)
        }
        if wake { _ = eventfd_write(eventFD, 1) }
        return accepted
    }

    /// Takes every queued message. Called by the loop only; the eventfd is read first, so a
    /// message posted after the swap always brings a new wake-up.
    func drain() -> [Message] {
        var counter: eventfd_t = 0
        _ = eventfd_read(eventFD, &counter)
        return state.withLock { state in
            state.wakePending = false
            defer { state.messages = [] }
            return state.messages
        }
    }

    /// The loop stopped: later posts are dropped. Returns what was still queued.
    func close() -> [Message] {
        state.withLock { state in
            state.closed = true
            defer { state.messages = [] }
            return state.messages
        }
    }
}
