import Postgres
import Testing

/// Reconnect delays grow and stop at the cap.
@Suite struct ReconnectBackoffTests {
    @Test func doublesFromTheInitialDelayUpToTheCap() {
        let backoff = ReconnectBackoff()
        let delays = (1...7).map { backoff.delay(afterFailures: $0) }
        #expect(delays == [.milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800),
                           .milliseconds(1600), .seconds(2), .seconds(2)])
        #expect(backoff.delay(afterFailures: 1_000_000) == .seconds(2))
    }
}
