@testable import Postgres
import Testing

/// The pool's bookkeeping, without connections: slots are strings, waiters are strings.
@Suite struct PoolStateMachineTests {
    typealias Machine = PoolStateMachine<String, String>

    @Test func createsSlotsLazilyUpToTheMaximumThenQueues() {
        var machine = Machine(maxConnections: 2)
        #expect(isCreate(machine.acquire(id: 1, waiter: "w1")))
        #expect(isCreate(machine.acquire(id: 2, waiter: "w2")))
        #expect(isWait(machine.acquire(id: 3, waiter: "w3")))
        #expect(machine.slotCount == 2 && machine.leased == 2 && machine.waiters.count == 1)
    }

    @Test func releasedSlotGoesToTheOldestWaiter() {
        var machine = Machine(maxConnections: 1)
        _ = machine.acquire(id: 1, waiter: "first")
        _ = machine.acquire(id: 2, waiter: "second")
        _ = machine.acquire(id: 3, waiter: "third")
        guard case .lend(let slot, let waiter) = machine.release("s", warm: true) else {
            Issue.record("expected a hand-over")
            return
        }
        #expect(slot == "s" && waiter == "second")
        #expect(machine.leased == 1 && machine.waiters.map(\.waiter) == ["third"])
    }

    @Test func warmSlotsAreLentBeforeColdOnes() {
        var machine = Machine(maxConnections: 2)
        _ = machine.acquire(id: 1, waiter: "a")
        _ = machine.acquire(id: 2, waiter: "b")
        _ = machine.release("warm", warm: true)
        _ = machine.release("cold", warm: false)
        #expect(machine.warmIdleCount == 1)
        guard case .lend(let slot) = machine.acquire(id: 3, waiter: "c") else {
            Issue.record("expected an idle slot")
            return
        }
        #expect(slot == "warm")
    }

    @Test func removedWaiterIsNotServed() {
        var machine = Machine(maxConnections: 1)
        _ = machine.acquire(id: 1, waiter: "holder")
        _ = machine.acquire(id: 2, waiter: "gives-up")
        #expect(machine.removeWaiter(id: 2) == "gives-up")
        #expect(machine.removeWaiter(id: 2) == nil)
        guard case .none = machine.release("s", warm: true) else {
            Issue.record("nobody should be waiting")
            return
        }
        #expect(machine.leased == 0)
    }

    @Test func closingFailsWaitersAndClosesSlotsAsTheyReturn() {
        var machine = Machine(maxConnections: 2)
        _ = machine.acquire(id: 1, waiter: "a")
        _ = machine.acquire(id: 2, waiter: "b")
        _ = machine.release("idle", warm: true)
        _ = machine.acquire(id: 3, waiter: "x")  // takes "idle"
        _ = machine.acquire(id: 4, waiter: "waiting")
        let (idle, waiters) = machine.close()
        #expect(idle.isEmpty && waiters == ["waiting"])
        guard case .closeSlot("idle") = machine.release("idle", warm: true) else {
            Issue.record("a slot returned after close must be closed")
            return
        }
        guard case .failClosed = machine.acquire(id: 5, waiter: "late") else {
            Issue.record("acquire after close must fail")
            return
        }
    }

    private func isCreate(_ action: Machine.AcquireAction) -> Bool {
        if case .createSlot = action { return true }
        return false
    }

    private func isWait(_ action: Machine.AcquireAction) -> Bool {
        if case .wait = action { return true }
        return false
    }
}
