import HTTP
import Postgres
import Synchronization

/// Where the reads that may lag go (history, conversation lists, search): to the standbys of
/// `DATABASE_READ_URL` when it is set, else to the primary (docs/scaling.md, "Read replicas").
///
/// Read-your-writes: a user who wrote (sent, marked read, started a chat) reads from the
/// primary until the standby has replayed that write. The write's own LSN is not asked for
/// (that would cost the write path a round trip): a sampler reads the primary's
/// `pg_current_wal_lsn()` every `sampleInterval`, and the first sample taken after the write
/// is at or past its commit; once the standby's `pg_last_wal_replay_lsn()` passes that sample,
/// the user reads from the standby again. The same samples give the replica lag for `/metrics`.
///
/// A standby that cannot serve falls back to the primary (a failover under way, a standby
/// being rebuilt), so reads never fail because of the standby alone.
final class ReadRouting: Sendable {
    let primary: Database
    let standby: Database?
    static let sampleInterval: Duration = .milliseconds(100)
    /// Primary samples kept (a write older than that reads from the standby if it caught up
    /// with the oldest sample, which was taken after it).
    static let samplesKept = 600

    private struct State {
        var lastWrite: [String: ContinuousClock.Instant] = [:]
        var primarySamples: [(at: ContinuousClock.Instant, lsn: UInt64)] = []
        /// The standby's replay position; nil while unknown (then reads after a write go to the primary).
        var replayed: UInt64?
        /// `DATABASE_READ_URL` reached the primary (no standby was up): always current.
        var standbyIsPrimary = false
    }

    private let state = Mutex(State())
    private let sampler = Mutex<Task<Void, Never>?>(nil)
    private let lagSeconds: Gauge?
    private let lagBytes: Gauge?
    private let standbyReads: Counter?
    private let primaryReads: Counter?

    init(primary: Database, standby: Database?, metrics: MetricsRegistry) {
        self.primary = primary
        self.standby = standby
        guard standby != nil else {
            lagSeconds = nil; lagBytes = nil; standbyReads = nil; primaryReads = nil
            return
        }
        lagSeconds = metrics.gauge("chat_db_replica_lag_seconds",
                                   help: "How long ago the primary was where the read standby has replayed to (0: caught up).")
        lagBytes = metrics.gauge("chat_db_replica_lag_bytes", help: "WAL bytes the read standby has yet to replay.")
        standbyReads = metrics.counter("chat_api_reads_total", help: "Reads that may lag, by where they went.", labels: ["target": "standby"])
        primaryReads = metrics.counter("chat_api_reads_total", help: "Reads that may lag, by where they went.", labels: ["target": "primary"])
    }

    /// Runs a read for `user` (nil: nobody's own writes matter) on the standby when it is
    /// current enough for that user, else on the primary.
    func run<T: Sendable>(forReadsBy user: String?, _ body: @escaping @Sendable (PostgresConnection) throws -> T) async throws -> T {
        guard let standby, standbyServes(user) else {
            primaryReads?.increment()
            return try await primary.run(body)
        }
        do {
            let result = try await standby.pool.withConnection(body)
            standbyReads?.increment()
            return result
        } catch let error as PostgresError where error.isUnavailability || error.isSerializationFailure {
            // The standby is away, or cancelled the read in a recovery conflict: the primary answers.
            primaryReads?.increment()
            return try await primary.run(body)
        } catch {
            throw standby.translate(error)
        }
    }

    /// Remembers that `user` just wrote (their next reads go to the primary until replayed).
    func noteWrite(by user: String) {
        guard standby != nil else { return }
        let now = ContinuousClock.now
        state.withLock { $0.lastWrite[user] = now }
    }

    private func standbyServes(_ user: String?) -> Bool {
        state.withLock { state in
            guard let user, let wrote = state.lastWrite[user] else { return true }
            if state.standbyIsPrimary { return true }
            guard let replayed = state.replayed,
                  let after = state.primarySamples.first(where: { $0.at > wrote }) else { return false }
            return replayed >= after.lsn
        }
    }

    func start() {
        guard standby != nil else { return }
        sampler.withLock { task in
            guard task == nil else { return }
            task = Task.detached { [self] in
                while !Task.isCancelled {
                    await sample()
                    try? await Task.sleep(for: Self.sampleInterval)
                }
            }
        }
    }

    func stop() {
        sampler.withLock { $0 }?.cancel()
    }

    /// One sample of both ends; failures leave the last known values (reads after a write
    /// then stay on the primary, which is always right).
    private func sample() async {
        guard let standby else { return }
        let taken = ContinuousClock.now
        let primaryLSN = try? await primary.pool.withConnection { conn in
            try conn.query("SELECT pg_current_wal_lsn()::text AS lsn").first?.decode("lsn", as: String.self)
        }
        let standbyState = try? await standby.pool.withConnection { conn -> (Bool, String?)? in
            guard let row = try conn.query("SELECT pg_is_in_recovery() AS standby, pg_last_wal_replay_lsn()::text AS replayed").first else { return nil }
            return (try row.decode("standby", as: Bool.self), try row.decode("replayed", as: String?.self))
        }
        let lag: (seconds: Double, bytes: Double)? = state.withLock { state in
            if let lsn = primaryLSN.flatMap({ $0 }).flatMap(Self.parseLSN) {
                state.primarySamples.append((taken, lsn))
                if state.primarySamples.count > Self.samplesKept { state.primarySamples.removeFirst(state.primarySamples.count - Self.samplesKept) }
            }
            guard let (isStandby, replayedText) = standbyState.flatMap({ $0 }) else { return nil }
            state.standbyIsPrimary = !isStandby
            state.replayed = replayedText.flatMap(Self.parseLSN)
            guard isStandby, let replayed = state.replayed, let newest = state.primarySamples.last else { return (0, 0) }
            // Forget writes the standby has replayed: those users read from it again for good.
            state.lastWrite = state.lastWrite.filter { _, wrote in
                guard let after = state.primarySamples.first(where: { $0.at > wrote }) else { return true }
                return replayed < after.lsn
            }
            let behind = state.primarySamples.first { $0.lsn > replayed }
            return (behind.map { Self.seconds(ContinuousClock.now - $0.at) } ?? 0, Double(newest.lsn > replayed ? newest.lsn - replayed : 0))
        }
        if let lag {
            lagSeconds?.set(lag.seconds)
            lagBytes?.set(lag.bytes)
        }
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// `16/B374D848` as a number.
    static func parseLSN(_ text: String) -> UInt64? {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let high = UInt64(parts[0], radix: 16), let low = UInt64(parts[1], radix: 16) else { return nil }
        return high << 32 | low
    }
}
