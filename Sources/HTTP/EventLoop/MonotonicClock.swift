import Glibc

/// Monotonic nanoseconds. Injected into the loops (`HTTPServerConfiguration`) so timers can
/// be driven by a test; everything else in the engine is expressed as deadlines on it.
struct MonotonicClock: Sendable {
    let now: @Sendable () -> UInt64

    static let system = MonotonicClock {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }
}
