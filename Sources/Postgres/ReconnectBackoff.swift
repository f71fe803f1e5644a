/// Delays between reconnection attempts: `initial`, doubling each failure, at most `maximum`;
/// back to `initial` after a success.
public struct ReconnectBackoff: Sendable, Hashable {
    /// The first delay.
    public var initial: Duration
    /// The cap.
    public var maximum: Duration

    public init(initial: Duration = .milliseconds(100), maximum: Duration = .seconds(2)) {
        self.initial = initial
        self.maximum = max(initial, maximum)
    }

    /// The delay after `failures` consecutive failed attempts (1 for the first failure).
    public func delay(afterFailures failures: Int) -> Duration {
        var delay = initial
        for _ in 1..<max(1, failures) {
            delay *= 2
            if delay >= maximum { return maximum }
        }
        return min(delay, maximum)
    }
}
