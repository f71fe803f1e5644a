@testable import Postgres
import Testing

/// Durations as `poll()` timeouts, Dispatch intervals and message text.
@Suite struct DurationConversionTests {
    @Test func pollTimeoutsRoundUpAndClamp() {
        #expect(Duration.milliseconds(250).pollMilliseconds == 250)
        #expect(Duration.microseconds(1).pollMilliseconds == 1)
        #expect(Duration.zero.pollMilliseconds == 0)
        #expect(Duration.milliseconds(-5).pollMilliseconds == 0)
        #expect(Duration.seconds(Int64.max / 2).pollMilliseconds == Int32.max)
    }

    @Test func dispatchIntervalsKeepNanoseconds() {
        #expect(Duration.milliseconds(1500).dispatchInterval == .nanoseconds(1_500_000_000))
        #expect(Duration.seconds(-1).dispatchInterval == .nanoseconds(0))
    }

    @Test func readableTextUsesMillisecondsBelowASecond() {
        #expect(Duration.milliseconds(300).readable == "300 ms")
        #expect(Duration.seconds(2).readable == "2 s")
        #expect(Duration.milliseconds(1500).readable == "1.5 s")
    }
}
