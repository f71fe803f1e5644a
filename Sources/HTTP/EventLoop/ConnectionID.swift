/// A connection's place in its loop's table and the generation of that place, so a late
/// message or epoll event for a connection that is gone (its slot reused) is recognised.
struct ConnectionID: Hashable, Sendable {
    let slot: UInt32
    let generation: UInt32

    /// The epoll user data for this connection.
    var token: UInt64 { UInt64(generation) << 32 | UInt64(slot) }

    init(slot: UInt32, generation: UInt32) {
        self.slot = slot
        self.generation = generation
    }

    init(token: UInt64) {
        slot = UInt32(truncatingIfNeeded: token)
        generation = UInt32(truncatingIfNeeded: token >> 32)
    }
}
