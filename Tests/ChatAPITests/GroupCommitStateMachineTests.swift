import Foundation
import Testing

@testable import ChatAPI

/// The group committer's scheduling without a database, writers or timers: the tests play the
/// owner, launching nothing and firing the timer by hand.
@Suite("Group commit scheduling")
struct GroupCommitStateMachineTests {
    typealias Machine = GroupCommitStateMachine<String>

    let a = UUID()
    let b = UUID()
    let c = UUID()

    /// The batches launched among `actions` (their items).
    func launched(_ actions: [Machine.Action]) -> [[String]] {
        actions.compactMap { if case .launch(let batch) = $0 { batch.items } else { nil } }
    }

    func batches(_ actions: [Machine.Action]) -> [Machine.Batch] {
        actions.compactMap { if case .launch(let batch) = $0 { batch } else { nil } }
    }

    func timer(_ actions: [Machine.Action]) -> Int? {
        actions.lazy.compactMap { if case .schedule(let generation, _) = $0 { generation } else { nil } }.first
    }

    @Test("a lone sender's message goes at once, without waiting for the window")
    func loneSenderGoesAtOnce() {
        var machine = Machine(writers: 2, maxBatch: 10, window: .milliseconds(5))
        let first = machine.submit("m1", conversation: a)
        #expect(launched(first) == [["m1"]])
        #expect(timer(first) == nil)
        let done = machine.batchDone(batches(first)[0])
        #expect(done.isEmpty)
        #expect(launched(machine.submit("m2", conversation: a)) == [["m2"]])
    }

    @Test("never two batches on one conversation: its later sends wait for the batch in flight, others go")
    func noTwoBatchesOnOneConversation() throws {
        var machine = Machine(writers: 4, maxBatch: 10, window: .milliseconds(5))
        let first = batches(machine.submit("a1", conversation: a))[0]
        // a2 cannot go while a1 is written; b1 can, gathered for the window (there is concurrency).
        #expect(machine.submit("a2", conversation: a).isEmpty)
        let gathering = machine.submit("b1", conversation: b)
        #expect(launched(gathering).isEmpty)
        let generation = try #require(timer(gathering))
        let fired = machine.timerFired(generation: generation)
        #expect(launched(fired) == [["b1"]])
        #expect(machine.inFlight == [a, b])
        // a2 goes only once a1's batch is done.
        var afterFirst = machine.batchDone(first)
        if let next = timer(afterFirst) { afterFirst += machine.timerFired(generation: next) }
        #expect(launched(afterFirst) == [["a2"]])
    }

    @Test("maxBatch queued sends go before the window ends; a send of a conversation in flight stays for a later batch")
    func fullBatchGoesEarly() throws {
        var machine = Machine(writers: 2, maxBatch: 3, window: .seconds(60))
        let first = batches(machine.submit("a1", conversation: a))[0]
        #expect(machine.submit("a2", conversation: a).isEmpty)
        #expect(timer(machine.submit("b1", conversation: b)) != nil)
        #expect(launched(machine.submit("c1", conversation: c)) == [["b1", "c1"]])
        let done = machine.batchDone(first)
        #expect(launched(done).isEmpty)
        #expect(launched(machine.timerFired(generation: try #require(timer(done)))) == [["a2"]])
    }

    @Test("the window's timer launches what was gathered; a stale timer does nothing")
    func timerLaunchesGathered() throws {
        var machine = Machine(writers: 2, maxBatch: 10, window: .milliseconds(5))
        let first = batches(machine.submit("a1", conversation: a))[0]
        let generation = try #require(timer(machine.submit("b1", conversation: b)))
        #expect(launched(machine.submit("c1", conversation: c)).isEmpty)
        #expect(launched(machine.timerFired(generation: generation)) == [["b1", "c1"]])
        #expect(machine.timerFired(generation: generation).isEmpty)
        _ = machine.batchDone(first)
    }

    @Test("no more batches in flight than writers")
    func writersBound() throws {
        var machine = Machine(writers: 1, maxBatch: 10, window: .zero)
        let first = batches(machine.submit("a1", conversation: a))[0]
        #expect(launched(machine.submit("b1", conversation: b)).isEmpty)
        #expect(machine.batchesInFlight == 1)
        #expect(launched(machine.batchDone(first)) == [["b1"]])
    }

    @Test("stop writes the whole queue without gathering, refuses later sends, and reports stopped after the last batch")
    func stopDrainsTheQueue() throws {
        var machine = Machine(writers: 1, maxBatch: 2, window: .seconds(60))
        let first = batches(machine.submit("a1", conversation: a))[0]
        for (item, conversation) in [("a2", a), ("b1", b), ("c1", c)] { _ = machine.submit(item, conversation: conversation) }
        let stopping = machine.stop()
        #expect(launched(stopping).isEmpty)  // the one writer is busy
        let refused = machine.submit("late", conversation: b)
        guard case .refuse("late")? = refused.first else {
            Issue.record("a send after stop must be refused: \(refused)")
            return
        }
        var written: [String] = []
        var actions = machine.batchDone(first)
        var stopped = false
        while let batch = batches(actions).first {
            written += batch.items
            #expect(timer(actions) == nil)
            actions = machine.batchDone(batch)
            stopped = stopped || actions.contains { if case .stopped = $0 { true } else { false } }
        }
        #expect(written == ["a2", "b1", "c1"])
        #expect(stopped)
        #expect(machine.queuedCount == 0 && machine.batchesInFlight == 0)
    }

    @Test("stop with nothing queued or in flight is stopped at once")
    func stopWhenIdle() {
        var machine = Machine(writers: 1, maxBatch: 2, window: .seconds(60))
        #expect(machine.stop().contains { if case .stopped = $0 { true } else { false } })
    }
}
