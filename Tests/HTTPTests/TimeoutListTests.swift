import Testing
@testable import HTTP

@Suite struct TimeoutListTests {
    @Test func expiresInDeadlineOrderAndOnlyWhenDue() {
        var list = TimeoutList(duration: 100)
        list.arm(3, now: 0)
        list.arm(1, now: 10)
        list.arm(7, now: 20)
        #expect(list.nextDeadline == 100)
        #expect(list.expire(now: 99).isEmpty)
        #expect(list.expire(now: 110) == [3, 1])
        #expect(list.nextDeadline == 120)
        #expect(list.count == 1)
    }

    @Test func rearmingMovesAnEntryToTheBack() {
        var list = TimeoutList(duration: 100)
        list.arm(1, now: 0)
        list.arm(2, now: 10)
        list.arm(1, now: 50)
        #expect(list.expire(now: 120) == [2])
        #expect(list.expire(now: 150) == [1])
    }

    @Test func disarmedEntriesNeverFire() {
        var list = TimeoutList(duration: 10)
        for slot in 0..<1000 { list.arm(slot, now: UInt64(slot)) }
        for slot in stride(from: 0, to: 1000, by: 2) { list.disarm(slot) }
        let fired = list.expire(now: 10_000)
        #expect(fired == Array(stride(from: 1, to: 1000, by: 2)))
        #expect(list.nextDeadline == nil)
        #expect(!list.contains(1))
    }
}
