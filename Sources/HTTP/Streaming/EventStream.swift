// CONTRACT STUB: the engine's author replaces the body; the public surface stays.
/// One open Server-Sent Events response. Thread-safe: any thread may send or close.
///
/// `send` appends the shared bytes to the connection's pending output and wakes its event
/// loop; it never blocks. When pending bytes pass the configured bound the stream is closed
/// (a slow consumer), and `send` returns false from then on.
public final class EventStream: Sendable {
    /// Unique within the process.
    public let id: Int

    init(id: Int) { self.id = id }

    /// Queues `bytes` for writing. False once the stream is closed (by either side).
    @discardableResult
    public func send(_ bytes: EventBytes) -> Bool { fatalError("not implemented") }

    /// Closes the stream (after flushing `final` bytes if given, e.g. a `retry:` frame).
    public func close(final: EventBytes? = nil) { fatalError("not implemented") }

    public var isClosed: Bool { fatalError("not implemented") }

    /// Runs `body` once when the stream closes for any reason (client gone, bound exceeded,
    /// server shutdown, `close()`); at once if it is already closed.
    public func onClose(_ body: @escaping @Sendable () -> Void) { fatalError("not implemented") }
}
