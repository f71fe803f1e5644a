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
    static func run(_ program: String, _ arguments: [String], logFile: String) throws {
        let executable = "\(binDirectory)/\(program)"
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw PostgresClusterError("\(executable) not found: install Debian's postgresql-15 or set PG_BIN")
        }
        let process = Process()
        if runsAsRoot {
            process.executableURL = URL(fileURLWithPath: try runuserPath())
            process.arguments = ["-u", "postgres", "--", executable] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
        }
        _ = FileManager.default.createFile(atPath: logFile, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logFile))
        defer { try? log.close() }
        log.seekToEndOfFile()
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let output = (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? ""
            let tail = output.split(separator: "\n").suffix(15).joined(separator: "\n")
            throw PostgresClusterError(
                "\(program) \(arguments.joined(separator: " ")) exited with \(process.terminationStatus):\n\(tail)")
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
