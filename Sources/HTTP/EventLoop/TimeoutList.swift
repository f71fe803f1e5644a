/// Deadlines that all share one duration (say, the 60 s idle timeout), kept in an intrusive
/// doubly-linked FIFO indexed by connection slot. Because every entry gets `now + duration`,
/// insertion order is deadline order: arming, disarming and finding the next expiry are O(1),
/// with no heap and no per-reset garbage (a heap with lazy deletion would grow by one entry
/// per keep-alive request).
struct TimeoutList {
    let duration: UInt64
    private var next: [Int32] = []
    private var previous: [Int32] = []
    private var deadlines: [UInt64] = []
    private var member: [Bool] = []
    private var head: Int32 = -1
    private var tail: Int32 = -1
    private(set) var count = 0

    init(duration: UInt64) { self.duration = duration }

    func contains(_ slot: Int) -> Bool { slot < member.count && member[slot] }

    /// Arms (or re-arms, moving it to the back) the timer of `slot`.
    mutating func arm(_ slot: Int, now: UInt64) {
        if contains(slot) { disarm(slot) }
        grow(to: slot)
        deadlines[slot] = now &+ duration
        member[slot] = true
        previous[slot] = tail
        next[slot] = -1
        if tail >= 0 { next[Int(tail)] = Int32(slot) } else { head = Int32(slot) }
        tail = Int32(slot)
        count += 1
    }

    mutating func disarm(_ slot: Int) {
        guard contains(slot) else { return }
        let before = previous[slot], after = next[slot]
        if before >= 0 { next[Int(before)] = after } else { head = after }
        if after >= 0 { previous[Int(after)] = before } else { tail = before }
        member[slot] = false
        count -= 1
    }

    /// The earliest deadline, if any timer is armed.
    var nextDeadline: UInt64? { head >= 0 ? deadlines[Int(head)] : nil }

    /// Disarms and returns every slot whose deadline is at or before `now`, earliest first.
    mutating func expire(now: UInt64) -> [Int] {
        var expired: [Int] = []
        while head >= 0, deadlines[Int(head)] <= now {
            let slot = Int(head)
            disarm(slot)
            expired.append(slot)
        }
        return expired
    }

    private mutating func grow(to slot: Int) {
        guard slot >= member.count else { return }
        let newCount = max(slot + 1, member.count * 2, 64)
        let extra = newCount - member.count
        next += repeatElement(-1, count: extra)
        previous += repeatElement(-1, count: extra)
        deadlines += repeatElement(0, count: extra)
        member += repeatElement(false, count: extra)
    }
}
