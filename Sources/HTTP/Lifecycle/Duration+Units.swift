extension Duration {
    /// The span in seconds, for metrics, logs and rate arithmetic.
    public var inSeconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    /// Whole nanoseconds, clamped at zero: configuration never asks for negative time.
    var nanoseconds: UInt64 {
        let (seconds, attoseconds) = components
        guard seconds >= 0 else { return 0 }
        return UInt64(seconds) &* 1_000_000_000 &+ UInt64(attoseconds / 1_000_000_000)
    }

    /// `value` milliseconds, rounded to the nearest whole one: settings given as a decimal
    /// number of seconds or hours.
    public static func milliseconds(rounding value: Double) -> Duration {
        .milliseconds(Int64(value.rounded()))
    }
}
