import Postgres

/// The retention job: deletes `chat.events` rows whose transaction committed longer ago than
/// `retention`, oldest first, in batches (each its own short transaction, so it never holds many
/// locks or a long snapshot).
///
/// It deletes a prefix of positions only, never a hole: it finds the first position to keep and
/// deletes every position below it, so a stream resuming inside the kept window misses nothing
/// and one resuming below it gets a `reset`. Unnumbered rows (transactions still open) are never
/// touched.
public struct Pruner: Sendable {
    /// How long events are kept by default: 24 hours (docs/api.md's replay guarantee).
    public static let defaultRetention: Duration = .seconds(24 * 3600)
    /// Rows deleted per statement by default.
    public static let defaultBatchSize = 10_000

    /// Uploads never attached to a message are deleted this long after they began (API.md,
    /// "Attachments"), whatever `retention` is.
    public static let unattachedUploadLifetime: Duration = .seconds(24 * 3600)

    public var retention: Duration
    public var batchSize: Int

    public init(retention: Duration = Pruner.defaultRetention, batchSize: Int = Pruner.defaultBatchSize) {
        self.retention = retention
        self.batchSize = max(1, batchSize)
    }

    /// Prunes on a connection borrowed from `pool`.
    /// - Returns: the number of events deleted.
    @discardableResult
    public func prune(using pool: PostgresPool) async throws -> Int {
        try await pool.withConnection { connection in try self.prune(on: connection) }
    }

    /// Prunes on `connection` (outside a transaction, so each batch commits on its own).
    /// - Returns: the number of events deleted.
    @discardableResult
    public func prune(on connection: PostgresConnection) throws -> Int {
        let bound = try connection.query("""
            SELECT coalesce(
                       (SELECT pos FROM chat.events
                         WHERE pos IS NOT NULL AND committed_at >= now() - \(retention)
                         ORDER BY pos LIMIT 1),
                       (SELECT last_pos + 1 FROM chat.event_counter)) AS first_kept
            """)
        guard let firstKept = try bound.first?.decode("first_kept", as: Int64?.self) else { return 0 }
        var deleted = 0
        while true {
            let count = try connection.execute("""
                DELETE FROM chat.events
                 WHERE id IN (SELECT id FROM chat.events WHERE pos < \(firstKept) ORDER BY pos LIMIT \(batchSize))
                """)
            deleted += count
            if count < batchSize { return deleted }
        }
    }

    /// Deletes uploads not attached within `unattachedUploadLifetime` (and their bytes), with
    /// `chat.prune_uploads` (sql/008).
    /// - Returns: the number of uploads deleted.
    @discardableResult
    public func pruneUploads(on connection: PostgresConnection) throws -> Int {
        let seconds = Pruner.unattachedUploadLifetime.components.seconds
        return try connection.query("SELECT chat.prune_uploads(make_interval(secs => \(seconds))) AS deleted")
            .first?.decode("deleted", as: Int.self) ?? 0
    }
}
