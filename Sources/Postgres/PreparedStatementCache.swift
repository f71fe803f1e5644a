/// The named server-side statements one connection has prepared, by SQL text and parameter
/// types, so a statement is parsed and planned once per connection instead of once per call.
///
/// Bounded: once `capacity` statements are cached, further new statements run unnamed, as if
/// there were no cache (no eviction, so no `DEALLOCATE` in the middle of someone's transaction).
/// Prepared statements outlive transactions (a `ROLLBACK` does not undo a `PREPARE`), so an
/// entry stays valid whatever happens to the transaction that created it.
struct PreparedStatementCache {
    /// What identifies a statement: the same text bound with other types is another statement,
    /// because the server fixes parameter types at prepare time.
    struct Key: Hashable {
        var sql: String
        var typeOIDs: [UInt32]
    }

    /// How many statements are kept; PostgreSQL holds each one's plan in the backend's memory.
    static let defaultCapacity = 256

    let capacity: Int
    private var names: [Key: String] = [:]
    /// Names dropped from the cache whose server-side statement still exists (it went stale
    /// inside a failed transaction, where `DEALLOCATE` is refused); freed at the next chance.
    private(set) var namesToDeallocate: [String] = []
    private var lastNumber = 0

    init(capacity: Int = defaultCapacity) {
        self.capacity = capacity
    }

    /// How many statements are prepared and cached.
    var count: Int { names.count }

    /// The cached statement's name, if any.
    func name(for key: Key) -> String? {
        names[key]
    }

    /// Whether another statement may be prepared and kept.
    var hasRoom: Bool { names.count < capacity }

    /// A name never used on this connection ("s1", "s2", ...).
    mutating func nextName() -> String {
        lastNumber += 1
        return "s\(lastNumber)"
    }

    /// Remembers a statement the server has just prepared.
    mutating func insert(_ name: String, for key: Key) {
        names[key] = name
    }

    /// Forgets `key`; when its server-side statement may still exist, keeps its name for a later
    /// `DEALLOCATE`.
    mutating func remove(_ key: Key, stillOnServer: Bool) {
        guard let name = names.removeValue(forKey: key) else { return }
        if stillOnServer { namesToDeallocate.append(name) }
    }

    /// Marks the pending `DEALLOCATE`s as done.
    mutating func clearNamesToDeallocate() {
        namesToDeallocate.removeAll()
    }
}
