import HTTP
import Postgres
import Synchronization

/// Where the reads that may lag go (history, conversation lists, search): to the standbys of
/// `DATABASE_READ_URL` when it is set, else to the primary (docs/scaling.md, "Read replicas").
///
/// Read-your-writes: a user who wrote (sent, marked read, started a chat) reads from a standby
/// only once it has replayed that write. The write's own LSN is not asked for (that would cost
/// the write path a round trip): a sampler reads the primary's `pg_current_wal_lsn()` every
/// `sampleInterval`, and the first sample taken after the write is at or past its commit. For
/// `writeMemory` after a write, that user's reads check the borrowed standby connection's
/// `pg_last_wal_replay_lsn()` against it (one more round trip, for those reads only) and go to
/// the primary until it has passed; before any sample is taken after the write, straight to the
/// primary. Everyone else reads from the standby as it is. The same samples give the replica lag
/// for `/metrics`.
///
/// A standby that cannot serve falls back to the primary (a failover under way, a standby
/// being rebuilt), so reads never fail because of the standby alone; a read connection that
/// finds itself on a primary (its standby was promoted) is dropped now and then so the pool
/// finds a standby again (`in_hot_standby`, reported by the server: no round trip).
final class ReadRouting: Sendable {
    let primary: Database
    let standby: Database?
    static let sampleInterval: Duration = .milliseconds(100)
    /// Primary samples kept: a minute's worth, as long as writes are remembered.
    static let samplesKept = 600
    /// How long a user's write is checked for: past it, the standby is assumed to have it
    /// (the replica lag alert fires long before).
    static let writeMemory: Duration = .seconds(60)
    static let rebalanceInterval: Duration = .seconds(5)

    private struct State {
        var lastWrite: [String: ContinuousClock.Instant] = [:]
        var primarySamples: [(at: ContinuousClock.Instant, lsn: UInt64)] = []
        var lastRebalance = ContinuousClock.now
    }

    private let state = Mutex(State())
    private let sampler = Mutex<Task<Void, Never>?>(nil)
    private let lagSeconds: Gauge
    private let lagBytes: Gauge
    private let standbyReads: Counter
    private let primaryReads: Counter

    init(primary: Database, standby: Database?, metrics: MetricsRegistry) {
        self.primary = primary
        self.standby = standby
        // Registered even without a standby (they stay 0), so dashboards and alerts find them.
        lagSeconds = metrics.gauge("chat_db_replica_lag_seconds",
                                   help: "How long ago the primary was where the read standby has replayed to (0: caught up).")
        lagBytes = metrics.gauge("chat_db_replica_lag_bytes", help: "WAL bytes the read standby has yet to replay.")
        standbyReads = metrics.counter("chat_api_reads_total", help: "Reads that may lag, by where they went.", labels: ["target": "standby"])
        primaryReads = metrics.counter("chat_api_reads_total", help: "Reads that may lag, by where they went.", labels: ["target": "primary"])
    }

    /// Runs a read for `user` (nil: nobody's own writes matter) on a standby when it is
    /// current enough for that user, else on the primary.
    func run<T: Sendable>(forReadsBy user: String?, _ body: @escaping @Sendable (PostgresConnection) throws -> T) async throws -> T {
        let need = requirement(for: user)
        if let standby, need != .primary {
            do {
                let outcome = try await standby.pool.withConnection { [self] connection -> Served<T> in
                    // Promoted since it connected (or no standby was up then): current, so it may
                    // answer, but now and then it is dropped so the pool finds a standby again.
                    if connection.parameterStatus("in_hot_standby") == "off" {
                        if mayLookForStandby() { connection.close(); return .elsewhere }
                        return .served(try body(connection))
                    }
                    if case .replayed(let lsn) = need {
                        let replayed = try connection.query("SELECT pg_last_wal_replay_lsn()::text AS lsn").first?.decode("lsn", as: String?.self)
                        guard let replayed, let position = Self.parseLSN(replayed), position >= lsn else { return .elsewhere }
                    }
                    return .served(try body(connection))
                }
                if case .served(let result) = outcome {
                    standbyReads.increment()
                    return result
                }
            } catch let error as PostgresError where error.isUnavailability || error.isSerializationFailure {
                // The standby is away, or cancelled the read in a recovery conflict: the primary answers.
            } catch {
                throw standby.translate(error)
            }
        }
        primaryReads.increment()
        return try await primary.run(body)
    }

    /// Remembers that `user` just wrote (their next reads need a standby that replayed it).
    func noteWrite(by user: String) {
        guard standby != nil else { return }
        let now = ContinuousClock.now
        state.withLock { $0.lastWrite[user] = now }
    }

    /// What a standby must have replayed to answer `user`.
    private enum Requirement: Equatable {
        case any
        case replayed(UInt64)
        case primary
    }

    private enum Served<T: Sendable>: Sendable {
        case served(T)
        case elsewhere
    }

    private func requirement(for user: String?) -> Requirement {
        state.withLock { state in
            guard let user, let wrote = state.lastWrite[user], ContinuousClock.now - wrote < Self.writeMemory else { return .any }
            // The first primary sample taken after the write is at or past its commit.
            guard let after = state.primarySamples.first(where: { $0.at > wrote }) else { return .primary }
            return .replayed(after.lsn)
        }
    }

    /// At most once per `rebalanceInterval`: drop a read connection that reached a primary.
    private func mayLookForStandby() -> Bool {
        let now = ContinuousClock.now
        return state.withLock { state in
            guard now - state.lastRebalance >= Self.rebalanceInterval else { return false }
            state.lastRebalance = now
            return true
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

    /// One sample of both ends, for read-your-writes (the primary's WAL position over time)
    /// and the lag gauges; a failed sample leaves the last values.
    private func sample() async {
        guard let standby else { return }
        let taken = ContinuousClock.now
        let primaryLSN = try? await primary.pool.withConnection { conn in
            try conn.query("SELECT pg_current_wal_lsn()::text AS lsn").first?.decode("lsn", as: String.self)
        }
        let replayedText = try? await standby.pool.withConnection { [self] conn -> String? in
            guard conn.parameterStatus("in_hot_standby") != "off" else {
                if mayLookForStandby() { conn.close() }
                return nil
            }
            return try conn.query("SELECT pg_last_wal_replay_lsn()::text AS lsn").first?.decode("lsn", as: String?.self)
        }
        let lag: (seconds: Double, bytes: Double)? = state.withLock { state in
            if let lsn = primaryLSN.flatMap({ $0 }).flatMap(Self.parseLSN) {
                state.primarySamples.append((taken, lsn))
                if state.primarySamples.count > Self.samplesKept { state.primarySamples.removeFirst(state.primarySamples.count - Self.samplesKept) }
            }
            let now = ContinuousClock.now
            state.lastWrite = state.lastWrite.filter { now - $0.value < Self.writeMemory }
            guard let replayed = replayedText.flatMap({ $0 }).flatMap(Self.parseLSN), let newest = state.primarySamples.last else { return nil }
            let behind = state.primarySamples.first { $0.lsn > replayed }
            return (behind.map { Self.seconds(now - $0.at) } ?? 0, Double(newest.lsn > replayed ? newest.lsn - replayed : 0))
        }
        if let lag {
            lagSeconds.set(lag.seconds)
            lagBytes.set(lag.bytes)
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
