/// The cluster's slow commands (`initdb`, `pg_ctl`) for async tests, run off the cooperative
/// pool (see `offloaded`). Prefer these in `async` tests.
///
/// ```swift
/// try await PostgresCluster.with { cluster in
///     try await cluster.restartOffloaded()
/// }
/// ```
extension PostgresCluster {
    /// Starts a new cluster (as `start()`), runs `body` with it, and destroys it whether `body`
    /// returns or throws.
    public static func with<T>(_ body: (PostgresCluster) async throws -> T) async throws -> T {
        let cluster = try await startOffloaded()
        do {
            let result = try await body(cluster)
            await cluster.destroyOffloaded()
            return result
        } catch {
            await cluster.destroyOffloaded()
            throw error
        }
    }

    /// `PostgresCluster.start()` (a new cluster) on a thread of its own.
    public static func startOffloaded() async throws -> PostgresCluster {
        try await offloaded { try start() }
    }

    /// `start()` (this cluster again, same data and port) on a thread of its own.
    public func startOffloaded() async throws {
        try await offloaded { try start() }
    }

    /// `stop()` on a thread of its own.
    public func stopOffloaded() async throws {
        try await offloaded { try stop() }
    }

    /// `restart()` on a thread of its own.
    public func restartOffloaded() async throws {
        try await offloaded { try restart() }
    }

    /// `destroy()` on a thread of its own.
    public func destroyOffloaded() async {
        await offloaded { destroy() }
    }
}
