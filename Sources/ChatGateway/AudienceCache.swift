/// Conversation -> audience, loaded from the database on first use and then kept current by
/// the membership events themselves (`member.added`, `member.removed`), applied in position
/// order. Entries unused for `idleLimit` are evicted; the next use loads them again.
///
/// A value type owned by `FanOutHub` (one task at a time touches it).
///
/// Loading reads membership as it is *now*, possibly ahead of the tail position; the
/// membership events between the tail and now are then applied on top as they are routed, so
/// from the first membership event on the audience follows event order exactly. Only events
/// routed before that first membership event see the newer membership (docs/api.md).
struct AudienceCache {
    private struct Entry {
        var audience: Audience
        var lastUsed: ContinuousClock.Instant
    }

    private var entries: [String: Entry] = [:]
    let idleLimit: Duration

    init(idleLimit: Duration = .seconds(600)) { self.idleLimit = idleLimit }

    /// The ids among `ids` that are not cached.
    func missing<S: Sequence<String>>(_ ids: S) -> Set<String> {
        var result = Set<String>()
        for id in ids where entries[id] == nil { result.insert(id) }
        return result
    }

    /// Stores loaded audiences; ids asked for but not found (deleted conversations) route to nobody.
    mutating func store(_ loaded: [String: Audience], asked: Set<String>, now: ContinuousClock.Instant) {
        for id in asked {
            entries[id] = Entry(audience: loaded[id] ?? .nobody, lastUsed: now)
        }
    }

    /// The audience of `id`, marking it used; nil when not loaded.
    mutating func audience(of id: String, now: ContinuousClock.Instant) -> Audience? {
        guard var entry = entries[id] else { return nil }
        entry.lastUsed = now
        entries[id] = entry
        return entry.audience
    }

    mutating func add(_ user: String, to id: String) {
        entries[id]?.audience.members.insert(user)
    }

    mutating func remove(_ user: String, from id: String) {
        entries[id]?.audience.members.remove(user)
    }

    /// Drops entries not used within `idleLimit` before `now`.
    mutating func evictIdle(now: ContinuousClock.Instant) {
        entries = entries.filter { now - $0.value.lastUsed < idleLimit }
    }
}
