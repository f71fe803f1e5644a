import Synchronization

/// A distribution of observed values in fixed buckets (Prometheus `histogram`).
/// One small critical section per observation keeps count, sum and buckets consistent with
/// each other when rendered.
public final class Histogram: Sendable {
    /// Upper bounds, strictly increasing, without the implicit `+Inf`.
    public let buckets: [Double]
    private let state: Mutex<State>

    struct State {
        /// Per-bucket counts (not cumulative); the last slot is above every bound.
        var counts: [Int]
        var sum: Double = 0
        var count: Int = 0
    }

    /// Seconds, from 1 ms to 10 s: request latency of a JSON API.
    public static let defaultLatencyBuckets: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    init(buckets: [Double]) {
        precondition(!buckets.isEmpty && buckets.allSatisfy(\.isFinite) && zip(buckets, buckets.dropFirst()).allSatisfy { $0 < $1 },
                     "histogram buckets must be finite and strictly increasing")
        self.buckets = buckets
        self.state = Mutex(State(counts: Array(repeating: 0, count: buckets.count + 1)))
    }

    /// Records one value (NaN is ignored: it would poison the sum).
    public func observe(_ value: Double) {
        guard !value.isNaN else { return }
        let slot = bucketIndex(value)
        state.withLock { state in
            state.counts[slot] += 1
            state.sum += value
            state.count += 1
        }
    }

    /// Records a duration in seconds.
    public func observe(_ duration: Duration) {
        observe(duration.inSeconds)
    }

    /// The first bucket whose bound is >= value (binary search; `le` is inclusive).
    private func bucketIndex(_ value: Double) -> Int {
        var low = 0, high = buckets.count
        while low < high {
            let mid = (low + high) / 2
            if buckets[mid] < value { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// Cumulative counts per bound (the last is `+Inf`), the sum and the count, taken together.
    func snapshot() -> (cumulative: [Int], sum: Double, count: Int) {
        let copy = state.withLock { $0 }
        var running = 0
        let cumulative = copy.counts.map { running += $0; return running }
        return (cumulative, copy.sum, copy.count)
    }
}
