import HTTP
import Postgres

/// What one tail read returned: the events, and, when the primary has a synchronous standby
/// configured, the WAL position the standby must have flushed before they may be streamed.
struct TailBatch: Sendable {
    var events: [StoredEvent]
    /// `pg_current_wal_insert_lsn()` read in the same statement as the events (so it is at or
    /// past the commit record of every event read), or nil when `synchronous_standby_names` is
    /// empty (a single server, or Patroni running without a standby): nothing to wait for.
    var unconfirmedThrough: String?
}

/// No phantom events (docs/architecture.md, "Failover"): a commit whose wait for the
/// synchronous standby was cancelled is visible on the primary although no standby has it,
/// and a failover would then take it back. The gateway
/// streams a batch only once a synchronous standby has flushed WAL up to the batch's bound.
extension EventLog {
    /// Poll delays while the standby catches up: it usually has by the first check (a
    /// commit's own wait already covered it), so this path costs one round trip per batch.
    static let replicationPollDelays: [Duration] = [.milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(20)]

    /// `latestPosition()` once a synchronous standby has it (when one is configured): where a
    /// starting gateway begins, so it never starts past what a failover could take back.
    func confirmedLatestPosition(logger: Logger) async throws -> Int64 {
        let (position, lsn) = try await pool.withConnection { conn -> (Int64, String?) in
            let rows = try conn.query("""
                SELECT (SELECT last_pos FROM chat.event_counter) AS last_pos,
                       current_setting('synchronous_standby_names') <> '' AS sync_standby,
                       pg_current_wal_insert_lsn()::text AS wal_lsn
                """)
            guard let row = rows.first else { return (0, nil) }
            let sync = try row.decode("sync_standby", as: Bool.self)
            return (try row.decode("last_pos", as: Int64?.self) ?? 0, sync ? try row.decode("wal_lsn", as: String.self) : nil)
        }
        if let lsn { try await waitUntilReplicated(lsn, logger: logger) }
        return position
    }

    /// Returns once a synchronous standby has flushed `lsn`, or synchronous replication was
    /// switched off (Patroni does so when the standby is gone: it then also promotes no one
    /// that lacks the commit). Throws when the database is lost meanwhile: the batch is then
    /// read again, from whichever server is primary, on the next drain.
    func waitUntilReplicated(_ lsn: String, logger: Logger? = nil) async throws {
        var attempt = 0
        let started = ContinuousClock.now
        var warned = false
        while true {
            let confirmed = try await pool.withConnection { conn in
                try conn.query("""
                    SELECT current_setting('synchronous_standby_names') = ''
                        OR EXISTS (SELECT 1 FROM pg_stat_replication
                                    WHERE sync_state IN ('sync', 'quorum') AND flush_lsn >= \(lsn)::pg_lsn) AS confirmed
                    """).first?.decode("confirmed", as: Bool.self) ?? false
            }
            if confirmed { return }
            if !warned, ContinuousClock.now - started > .seconds(5) {
                warned = true
                logger?.warning("events wait for the synchronous standby (is it down, or may this role not read pg_stat_replication?)",
                                ["lsn": .string(lsn)])
            }
            try await Task.sleep(for: Self.replicationPollDelays[min(attempt, Self.replicationPollDelays.count - 1)])
            attempt += 1
        }
    }
}
