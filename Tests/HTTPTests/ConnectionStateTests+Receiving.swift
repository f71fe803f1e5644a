import Testing
@testable import HTTP

/// The `receiving` phase of a streamed request body: read while the handler keeps up, stop
/// while it lags, 408 for a body that stops arriving, and no next request before the answer.
@Suite struct ReceivingStateTests {
    @Test func readsUnlessPausedOrClosed() {
        var state = ConnectionState()
        state.phase = .receiving
        #expect(state.interest(outputPending: false) == [.readable, .readHangup])
        #expect(state.interest(outputPending: true) == [.readable, .readHangup, .writable])  // 100 Continue going out
        state.uploadPaused = true
        #expect(state.interest(outputPending: false) == [])
        state.uploadPaused = false
        state.inputClosed = true
        #expect(state.interest(outputPending: false) == [])
    }

    @Test func theRequestTimerEndsAStalledBodyWith408ForItsHandler() {
        var state = ConnectionState()
        state.phase = .receiving
        #expect(state.timeout(.request, requestStarted: true) == .bodyTimedOut)
        #expect(state.timeout(.request, requestStarted: false) == .bodyTimedOut)
        state.phase = .reading
        #expect(state.timeout(.request, requestStarted: true) == .requestTimedOut)
    }

    @Test func drainedOutputWhileReceivingWaitsForTheHandler() {
        var state = ConnectionState()
        state.phase = .receiving
        #expect(state.outputDrained(draining: false) == .none)
        #expect(state.phase == .receiving)
    }
}
