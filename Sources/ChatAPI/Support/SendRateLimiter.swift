import HTTP
import Synchronization

/// Each user's send budget on this replica: a token bucket holding up to `burst` sends,
/// refilled at `ratePerSecond`. A send beyond it gets 429 with `Retry-After` (whole seconds
/// until a token is back). A rate of 0 turns the limit off.
final class SendRateLimiter: Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    private let ratePerSecond: Double
    private let burst: Double
    private let buckets = Mutex<[String: Bucket]>([:])
    /// Past this many users, buckets that have refilled completely are forgotten.
    private let trimThreshold = 10_000

    init(ratePerSecond: Double, burst: Int) {
        self.ratePerSecond = ratePerSecond
        self.burst = Double(max(1, burst))
    }

    /// Takes one token for `userID` or throws 429.
    func take(for userID: String, now: ContinuousClock.Instant = .now) throws(APIError) {
        guard ratePerSecond > 0 else { return }
        let wait: Double? = buckets.withLock { buckets in
            var bucket = buckets[userID] ?? Bucket(tokens: burst, updated: now)
            bucket.tokens = min(burst, bucket.tokens + ratePerSecond * (now - bucket.updated).inSeconds)
            bucket.updated = now
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                buckets[userID] = bucket
                if buckets.count > trimThreshold { trim(&buckets, now: now) }
                return nil
            }
            buckets[userID] = bucket
            return (1 - bucket.tokens) / ratePerSecond
        }
        if let wait { throw APIError.rateLimited(retryAfterSeconds: Int(wait.rounded(.up))) }
    }

    private func trim(_ buckets: inout [String: Bucket], now: ContinuousClock.Instant) {
        buckets = buckets.filter { $0.value.tokens + ratePerSecond * (now - $0.value.updated).inSeconds < burst }
    }
}
