import Foundation

/// Runs PostgreSQL's server programs (`initdb`, `pg_ctl`) for `PostgresCluster`. They refuse to
/// run as root, so as root they run as the `postgres` user through `runuser`.
enum PostgresServerCommand {
    /// Where Debian's PostgreSQL 15 server programs live (`PG_BIN` overrides).
    static var binDirectory: String {
        ProcessInfo.processInfo.environment["PG_BIN"] ?? "/usr/lib/postgresql/15/bin"
    }

    static var runsAsRoot: Bool { getuid() == 0 }

    /// Runs `program` (a name in `binDirectory`) with `arguments`, as the cluster owner.
    /// Output goes to `logFile`, whose last lines are quoted in the error when it fails.
    ///
    /// Spawned through `ChildSpawn` (every inherited descriptor above 2 closed), not with
    /// Foundation's `Process`: `pg_ctl start` leaves the server running as a grandchild, and a
    /// server holding a copy of `Process`'s exit-monitoring socket (or of anyone's pipe) would
    /// keep `waitUntilExit()` (or that pipe's reader) waiting until the server stops.
    static func run(_ program: String, _ arguments: [String], logFile: String) throws {
        let executable = "\(binDirectory)/\(program)"
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw PostgresClusterError("\(executable) not found: install Debian's postgresql-15 or set PG_BIN")
        }
        let command = runsAsRoot
            ? [try runuserPath(), "-u", "postgres", "--", executable] + arguments
            : [executable] + arguments
        let log = open(logFile, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard log >= 0 else { throw PostgresClusterError("cannot open \(logFile): errno \(errno)") }
        let status: Int32
        do {
            let pid = try ChildSpawn.start(command, stdout: log, stderr: log)
            close(log)
            status = try ChildSpawn.wait(for: pid)
        } catch {
            close(log)
            throw PostgresClusterError("\(error)")
        }
        guard status == 0 else {
            let output = (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? ""
            let tail = output.split(separator: "\n").suffix(15).joined(separator: "\n")
            throw PostgresClusterError(
                "\(program) \(arguments.joined(separator: " ")) exited with status \(status):\n\(tail)")
        }
    }

    /// Gives `path` to the `postgres` user when running as root.
    static func handToClusterOwner(_ path: String) throws {
        guard runsAsRoot else { return }
        guard let owner = getpwnam("postgres") else {
            throw PostgresClusterError("no 'postgres' user: install Debian's postgresql package")
        }
        guard chown(path, owner.pointee.pw_uid, owner.pointee.pw_gid) == 0 else {
            throw PostgresClusterError("chown \(path) to postgres failed: errno \(errno)")
        }
    }

    private static func runuserPath() throws -> String {
        let candidates = ["/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser"]
        guard let path = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw PostgresClusterError("runuser not found; it is needed to run initdb as postgres when root")
        }
        return path
    }
}

/// A failure to set up or drive a test PostgreSQL cluster or database.
public struct PostgresClusterError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
