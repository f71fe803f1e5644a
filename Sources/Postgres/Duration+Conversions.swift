import Dispatch

extension Duration {
    /// Whole milliseconds, rounded up so a wait never ends early, for `poll()`'s timeout.
    var pollMilliseconds: Int32 {
        let (seconds, attoseconds) = components
        guard seconds >= 0, attoseconds >= 0 else { return 0 }
        let milliseconds = seconds.multipliedReportingOverflow(by: 1000)
        guard !milliseconds.overflow else { return .max }
        let partial = (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int32(clamping: milliseconds.partialValue + partial)
    }

    /// The same span for `DispatchTime` arithmetic (negative spans become zero).
    var dispatchInterval: DispatchTimeInterval {
        let (seconds, attoseconds) = components
        guard seconds >= 0, attoseconds >= 0 else { return .nanoseconds(0) }
        let nanoseconds = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !nanoseconds.overflow else { return .never }
        return .nanoseconds(Int(clamping: nanoseconds.partialValue + attoseconds / 1_000_000_000))
    }
}

extension Duration {
    /// `300 ms`, `2 s`, `1.5 s`: for messages.
    var readable: String {
        let milliseconds = Double(components.seconds) * 1000 + Double(components.attoseconds) / 1e15
        if milliseconds < 1000 { return "\(Int(milliseconds.rounded())) ms" }
        let seconds = (milliseconds / 1000 * 1000).rounded() / 1000
        return seconds == seconds.rounded() ? "\(Int(seconds)) s" : "\(seconds) s"
    }
}

extension Duration: PostgresBindable {
    /// An `interval` of whole seconds and microseconds (PostgreSQL's precision, truncated), so
    /// a retention or a timeout goes into SQL as it is: `now() - \(retention)`.
    public var postgresText: String? {
        let (seconds, attoseconds) = components
        return "\(seconds) seconds \(attoseconds / 1_000_000_000_000) microseconds"
    }
    public static var postgresTypeOID: UInt32 { PostgresTypeOID.interval }
}
