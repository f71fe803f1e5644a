import Foundation
import Postgres
import Synchronization
import Testing
import TestSupport

/// The pool against a real server: limits, timeouts, broken connections, transactions.
@Suite struct PostgresPoolTests {
    /// The waiter gets `.poolTimeout` no sooner than the configured wait, and not much later.
    /// The slack is for a busy machine: the timer's callback and the waiter's resumption both
    /// wait for one of the few threads of Dispatch's global pool, which every test in the
    /// process shares. A timer in the wrong unit (300 s) still fails.
    @Test func exhaustedPoolTimesOutWithPoolTimeout() async throws {
        let acquireTimeout = Duration.milliseconds(300)
        let pool = PostgresPool(config: try environmentConfig(), maxConnections: 1, acquireTimeout: acquireTimeout)
        defer { pool.close() }
        let holder = try await ConnectionHolder(pool)
        let started = ContinuousClock.now
        let error = await #expect(throws: PostgresError.self) { try await pool.query("SELECT 1") }
        let waited = ContinuousClock.now - started
        #expect(error?.kind == .poolTimeout)
        #expect(error?.message.contains("300 ms") == true)
        #expect(waited >= acquireTimeout - .milliseconds(10) && waited < acquireTimeout + .seconds(15), "\(waited)")
        #expect(pool.stats.waiters == 0)
        try await holder.release()
        #expect(try await pool.query("SELECT 1 AS v")[0].decode("v", as: Int.self) == 1)
    }

    @Test func waitersAreServedInArrivalOrder() async throws {
        let pool = PostgresPool(config: try environmentConfig(), maxConnections: 1, acquireTimeout: .seconds(10))
        defer { pool.close() }
        let order = Recorder<Int>()
        let holder = try await ConnectionHolder(pool)
        var waiters: [Task<Void, any Error>] = []
        for index in 0..<5 {
            waiters.append(Task { try await pool.withConnection { _ in order.append(index) } })
            try #require(await eventually { pool.stats.waiters == index + 1 })
        }
        try await holder.release()
        for waiter in waiters { try await waiter.value }
        #expect(order.values == [0, 1, 2, 3, 4])
    }

    @Test func terminatedBackendIsReplacedTransparentlyOnNextUse() async throws {
        let pool = PostgresPool(config: try environmentConfig(), maxConnections: 1)
        defer { pool.close() }
        let firstPID = try await backendPID(pool)
        try await withConnection { admin in _ = try admin.query("SELECT pg_terminate_backend(\(firstPID), 5000)") }
        let secondPID = try await backendPID(pool)
        #expect(secondPID != firstPID)
        #expect(pool.stats.open == 1)
    }

    @Test func connectionKilledMidUseFailsThatCallOnlyAndIsReplaced() async throws {
        let pool = PostgresPool(config: try environmentConfig(), maxConnections: 1)
        defer { pool.close() }
        let pid = try await backendPID(pool)
        let error = await #expect(throws: PostgresError.self) {
            try await pool.withConnection { conn in
                try withConnection { admin in _ = try admin.query("SELECT pg_terminate_backend(\(pid), 5000)") }
                _ = try conn.query("SELECT 1")
            }
        }
        #expect(error?.isConnectionLoss == true)
        #expect(try await backendPID(pool) != pid)
    }

    @Test func transactionRollsBackWhenTheBodyThrows() async throws {
        try await TestDatabase.with(migrated: false) { database in
            let pool = PostgresPool(config: database.config, maxConnections: 2)
            defer { pool.close() }
            try await pool.execute("CREATE TABLE notes (body text)")
            struct Abort: Error {}
            await #expect(throws: Abort.self) {
                try await pool.withTransaction { conn in
                    try conn.execute("INSERT INTO notes VALUES (\("lost"))")
                    throw Abort()
                }
            }
            try await pool.withTransaction { conn in try conn.execute("INSERT INTO notes VALUES (\("kept"))") }
            let bodies = try await pool.query("SELECT body FROM notes").map { try $0.decode("body", as: String.self) }
            #expect(bodies == ["kept"])
        }
    }

    @Test func failedCommitThrowsAndKeepsNothing() async throws {
        try await TestDatabase.with(migrated: false) { database in
            let pool = PostgresPool(config: database.config, maxConnections: 1)
            defer { pool.close() }
            try await pool.execute("CREATE TABLE once (n int UNIQUE DEFERRABLE INITIALLY DEFERRED)")
            let error = await #expect(throws: PostgresError.self) {
                try await pool.withTransaction { conn in
                    try conn.execute("INSERT INTO once VALUES (1)")
                    try conn.execute("INSERT INTO once VALUES (1)")
                }
            }
            #expect(error?.isUniqueViolation == true)
            #expect(try await pool.query("SELECT count(*) AS n FROM once")[0].decode("n", as: Int.self) == 0)
        }
    }

    @Test func transactionLeftOpenByTheBorrowerIsRolledBack() async throws {
        try await TestDatabase.with(migrated: false) { database in
            let pool = PostgresPool(config: database.config, maxConnections: 1)
            defer { pool.close() }
            try await pool.execute("CREATE TABLE dangling (n int)")
            try await pool.withConnection { conn in
                try conn.execute("BEGIN")
                try conn.execute("INSERT INTO dangling VALUES (1)")
            }
            try await pool.withConnection { conn throws in
                #expect(try conn.scalar("SELECT count(*) AS n FROM dangling", as: Int.self) == 0)
            }
        }
    }

    @Test func fiftyConcurrentTasksShareTheConnections() async throws {
        try await TestDatabase.with(migrated: false) { database in
            let pool = PostgresPool(config: database.config, maxConnections: 5, acquireTimeout: .seconds(20))
            defer { pool.close() }
            try await pool.execute("CREATE TABLE hits (task int PRIMARY KEY, pid int)")
            try await withThrowingTaskGroup(of: Void.self) { group in
                for task in 0..<50 {
                    group.addTask {
                        try await pool.withTransaction { conn in
                            try conn.execute("INSERT INTO hits VALUES (\(Int32(task)), pg_backend_pid())")
                            _ = try conn.query("SELECT pg_sleep(0.01)")
                        }
                    }
                }
                try await group.waitForAll()
            }
            let rows = try await pool.query("SELECT count(*) AS n, count(DISTINCT pid) AS pids FROM hits")
            #expect(try rows[0].decode("n", as: Int.self) == 50)
            #expect(try rows[0].decode("pids", as: Int.self) <= 5)
            let stats = pool.stats
            #expect(stats.inUse == 0 && stats.waiters == 0 && stats.open <= 5 && stats.maxConnections == 5)
        }
    }

    @Test func blockingQueriesLeaveTheCooperativePoolFree() async throws {
        let pool = PostgresPool(config: try environmentConfig(), maxConnections: 4)
        defer { pool.close() }
        // Four borrowers block inside their closures. Were those closures run on the
        // cooperative pool (two threads on two cores), no async work could proceed until the
        // watchdog let them go. The watchdog only ends such a deadlock: it is far longer than a
        // busy machine needs to start four borrowers and poll once.
        let gate = DispatchSemaphore(value: 0)
        let watchdogFired = Recorder<Bool>()
        let borrowers = (0..<4).map { _ in Task { try await pool.withConnection { _ in gate.wait() } } }
        DispatchQueue.global().asyncAfter(deadline: .now() + 30) {
            watchdogFired.append(true)
            for _ in 0..<4 { gate.signal() }
        }
        try #require(await eventually(timeout: .seconds(40)) { pool.stats.inUse == 4 })
        try await Task.sleep(for: .milliseconds(20))
        #expect(watchdogFired.values.isEmpty, "async work ran while four connections were blocked")
        if watchdogFired.values.isEmpty {
            for _ in 0..<4 { gate.signal() }
        }
        for borrower in borrowers { try await borrower.value }
    }

    @Test func refusedConnectionsFailEveryCallerWithAConnectionError() async throws {
        let config = PostgresConfig(url: "postgres://postgres@127.0.0.1:\(try unusedPort())/none", connectTimeout: .seconds(2))
        // Waiters must outlast the refusals ahead of them even on a busy machine: every caller
        // is to see the connection error, none a pool timeout.
        let pool = PostgresPool(config: config, maxConnections: 2, acquireTimeout: .seconds(10))
        defer { pool.close() }
        #expect(pool.stats.open == 0, "connections open lazily")
        let failures = await failures(of: 10) { try await pool.execute("SELECT 1") }
        #expect(failures.map(\.kind) == Array(repeating: .connection, count: 10), "\(failures)")
        #expect(pool.stats.open == 0 && pool.stats.inUse == 0)
    }

    /// The one connecting caller gives up at the connect timeout, the two waiting ones at the
    /// acquire timeout: all within the connect timeout plus slack for a busy machine, whose
    /// threads the test process shares with every other test (without its timeout, libpq
    /// would wait for the silent server forever).
    @Test func silentServerIsBoundedByConnectAndAcquireTimeouts() async throws {
        let silent = try SilentServer()
        let connectTimeout = Duration.seconds(2)
        let config = PostgresConfig(url: "postgres://postgres@127.0.0.1:\(silent.port)/none", connectTimeout: connectTimeout)
        let pool = PostgresPool(config: config, maxConnections: 1, acquireTimeout: .seconds(1))
        defer { pool.close() }
        let started = ContinuousClock.now
        let failures = await failures(of: 3) { try await pool.execute("SELECT 1") }
        let elapsed = ContinuousClock.now - started
        #expect(failures.filter { $0.kind == .connection }.count == 1, "\(failures)")
        #expect(failures.filter { $0.kind == .poolTimeout }.count == 2, "\(failures)")
        #expect(elapsed >= connectTimeout && elapsed < connectTimeout + .seconds(15), "\(elapsed)")
    }

    @Test func closedPoolRejectsCallersAndFailsWaiters() async throws {
        let pool = PostgresPool(config: try environmentConfig(), maxConnections: 1, acquireTimeout: .seconds(10))
        let holder = try await ConnectionHolder(pool)
        let waiter = Task { try await pool.execute("SELECT 1") }
        try #require(await eventually { pool.stats.waiters == 1 })
        pool.close()
        let error = await #expect(throws: PostgresError.self) { try await waiter.value }
        #expect(error?.kind == .poolClosed)
        try await holder.release()
        let late = await #expect(throws: PostgresError.self) { try await pool.execute("SELECT 1") }
        #expect(late?.kind == .poolClosed)
        try #require(await eventually { pool.stats.open == 0 })
    }

    @Test func cancelledWaiterLeavesTheQueue() async throws {
        let pool = PostgresPool(config: try environmentConfig(), maxConnections: 1, acquireTimeout: .seconds(10))
        defer { pool.close() }
        let holder = try await ConnectionHolder(pool)
        let waiter = Task { try await pool.execute("SELECT 1") }
        try #require(await eventually { pool.stats.waiters == 1 })
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
        #expect(pool.stats.waiters == 0)
        try await holder.release()
    }

    /// Runs `work` `count` times concurrently; returns the errors thrown (a success records an issue).
    private func failures(of count: Int, _ work: @escaping @Sendable () async throws -> Void) async -> [PostgresError] {
        await withTaskGroup(of: PostgresError?.self) { group in
            for _ in 0..<count {
                group.addTask {
                    do {
                        try await work()
                        Issue.record("expected a failure")
                        return nil
                    } catch {
                        return error as? PostgresError
                    }
                }
            }
            return await group.reduce(into: []) { errors, error in error.map { errors.append($0) } }
        }
    }

    private func backendPID(_ pool: PostgresPool) async throws -> Int32 {
        try await pool.query("SELECT pg_backend_pid() AS pid")[0].decode("pid", as: Int32.self)
    }
}

/// Keeps one of the pool's connections busy until `release()`, whatever the machine's load.
struct ConnectionHolder {
    private let gate = DispatchSemaphore(value: 0)
    private let task: Task<Void, any Error>

    init(_ pool: PostgresPool) async throws {
        let inUse = pool.stats.inUse
        let gate = self.gate
        task = Task { try await pool.withConnection { _ in gate.wait() } }
        try #require(await eventually { pool.stats.inUse == inUse + 1 })
    }

    func release() async throws {
        gate.signal()
        try await task.value
    }
}

/// A loopback TCP listener that never accepts: connections complete the handshake in the
/// backlog and then hear nothing, like a server that hangs.
final class SilentServer {
    let port: Int
    private let descriptor: Int32

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.descriptor = descriptor
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ready = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, length) == 0 && listen(descriptor, 16) == 0
                    && getsockname(descriptor, $0, &length) == 0
            }
        }
        try #require(ready)
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit {
        close(descriptor)
    }
}

/// Collects values from many tasks or threads, in arrival order.
final class Recorder<Value: Sendable>: Sendable {
    private let storage = Mutex<[Value]>([])

    func append(_ value: Value) {
        storage.withLock { $0.append(value) }
    }

    var values: [Value] { storage.withLock { $0 } }
}

