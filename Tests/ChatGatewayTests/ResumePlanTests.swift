import Testing
@testable import ChatGateway

@Suite("Resume plan: which Last-Event-ID values replay and which get reset")
struct ResumePlanTests {
    @Test("an id with every later event kept replays from it")
    func keptEventsReplay() {
        let point = ResumePoint(latest: 10, next: 6, nextExpired: false)
        #expect(ResumePlan.decide(lastEventID: 5, point: point) == .replay(after: 5))
    }

    @Test("the newest id replays nothing but keeps its place")
    func newestIdReplaysNothing() {
        #expect(ResumePlan.decide(lastEventID: 10, point: ResumePoint(latest: 10, next: nil, nextExpired: false)) == .replay(after: 10))
    }

    @Test("an id whose next event was pruned gets reset")
    func prunedGetsReset() {
        #expect(ResumePlan.decide(lastEventID: 2, point: ResumePoint(latest: 10, next: 7, nextExpired: false)) == .reset(reason: "expired", position: 10))
        #expect(ResumePlan.decide(lastEventID: 2, point: ResumePoint(latest: 10, next: nil, nextExpired: false)) == .reset(reason: "expired", position: 10))
    }

    @Test("an id whose next event is past the retention window gets reset")
    func expiredGetsReset() {
        #expect(ResumePlan.decide(lastEventID: 2, point: ResumePoint(latest: 10, next: 3, nextExpired: true)) == .reset(reason: "expired", position: 10))
    }

    @Test("an id beyond every issued position gets reset")
    func futureGetsReset() {
        #expect(ResumePlan.decide(lastEventID: 11, point: ResumePoint(latest: 10, next: nil, nextExpired: false)) == .reset(reason: "unknown_position", position: 10))
    }
}
