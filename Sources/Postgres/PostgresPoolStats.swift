/// A snapshot of the pool for `/metrics` and logs.
public struct PostgresPoolStats: Sendable, Hashable {
    /// Live connections to the server (idle or lent).
    public var open: Int
    /// Live connections waiting to be lent.
    public var idle: Int
    /// Connections lent to callers right now (including ones still connecting).
    public var inUse: Int
    /// Callers waiting for a connection.
    public var waiters: Int
    /// The pool's fixed maximum.
    public var maxConnections: Int
}
