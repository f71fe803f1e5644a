import Foundation
import Postgres
import Synchronization

/// A throwaway PostgreSQL 15 cluster of its own, for tests that must stop or restart the server
/// (never do that to the shared server in `DATABASE_URL`).
///
/// ```swift
/// let cluster = try PostgresCluster.start()
/// defer { cluster.destroy() }
/// try cluster.restart()          // same data, same port
/// ```
///
/// It lives in a fresh temporary folder, listens on a free loopback port with trust
/// authentication for the superuser `postgres`, and keeps PostgreSQL's durable defaults
/// (fsync and synchronous commit stay on), with `max_connections = 200`.
public final class PostgresCluster: Sendable {
    /// The folder holding the data directory, the socket and the logs.
    public let directory: String
    /// The loopback TCP port, kept across `stop()`/`start()`.
    public let port: Int
    private let destroyed = Mutex(false)

    private var dataDirectory: String { "\(directory)/data" }
    private var serverLog: String { "\(directory)/server.log" }
    private var commandLog: String { "\(directory)/commands.log" }

    /// `postgres://postgres@127.0.0.1:<port>/postgres`.
    public var url: String { "postgres://postgres@127.0.0.1:\(port)/postgres" }

    /// A configuration for `url`.
    public var config: PostgresConfig {
        PostgresConfig(url: url, applicationName: "tests")
    }

    private init(directory: String, port: Int) {
        self.directory = directory
        self.port = port
    }

    /// Creates, configures and starts a new cluster.
    /// - Throws: `PostgresClusterError` with the failing command's output.
    public static func start() throws -> PostgresCluster {
        var template = Array("\(NSTemporaryDirectory())/pgcluster-XXXXXX".utf8CString)
        guard let created = mkdtemp(&template) else {
            throw PostgresClusterError("mkdtemp failed: errno \(errno)")
        }
        let directory = String(cString: created)
        do {
            try PostgresServerCommand.handToClusterOwner(directory)
            let cluster = PostgresCluster(directory: directory, port: try freeLoopbackPort())
            try cluster.initialize()
            try cluster.start()
            return cluster
        } catch {
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
    }

    deinit {
        destroy()
    }

    /// Starts the server again on the same data and port; waits until it accepts connections.
    public func start() throws {
        try PostgresServerCommand.run(
            "pg_ctl", ["start", "-w", "-t", "60", "-D", dataDirectory, "-l", serverLog], logFile: commandLog)
    }

    /// Stops the server (fast shutdown: sessions are ended); waits until it is down.
    public func stop() throws {
        try PostgresServerCommand.run(
            "pg_ctl", ["stop", "-w", "-t", "60", "-m", "fast", "-D", dataDirectory], logFile: commandLog)
    }

    /// `stop()` then `start()`.
    public func restart() throws {
        try stop()
        try start()
    }

    /// Stops the server if it runs and removes the folder. Idempotent; never throws.
    public func destroy() {
        let alreadyDestroyed = destroyed.withLock { destroyed in
            defer { destroyed = true }
            return destroyed
        }
        guard !alreadyDestroyed else { return }
        if FileManager.default.fileExists(atPath: "\(dataDirectory)/postmaster.pid") {
            try? PostgresServerCommand.run(
                "pg_ctl", ["stop", "-w", "-t", "60", "-m", "immediate", "-D", dataDirectory], logFile: commandLog)
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    private func initialize() throws {
        try PostgresServerCommand.run(
            "initdb",
            ["-D", dataDirectory, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"],
            logFile: commandLog)
        let settings = """

            # PostgresCluster (Tests/TestSupport): a private throwaway cluster on loopback.
            listen_addresses = '127.0.0.1'
            port = \(port)
            unix_socket_directories = '\(directory)'
            max_connections = 200

            """
        let configFile = try FileHandle(forWritingTo: URL(fileURLWithPath: "\(dataDirectory)/postgresql.conf"))
        defer { try? configFile.close() }
        configFile.seekToEndOfFile()
        configFile.write(Data(settings.utf8))
    }

    /// A port nothing listens on now: bind 127.0.0.1:0 and read back what the kernel chose.
    private static func freeLoopbackPort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw PostgresClusterError("socket failed: errno \(errno)") }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(descriptor, socketAddress, length) == 0
                    && getsockname(descriptor, socketAddress, &length) == 0
            }
        }
        guard bound else { throw PostgresClusterError("could not find a free port: errno \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
