import Foundation

/// A program run to its end, for tests: its exit status and what it wrote.
///
/// ```swift
/// let run = try await ProgramRun.run(URL(fileURLWithPath: "/usr/bin/curl"), ["-sS", url])
/// #expect(run.status == 0, "\(run.stderr)")
/// ```
public struct ProgramRun: Sendable {
    /// The exit status; 128 + the signal's number when a signal ended it.
    public var status: Int32
    public var stdout: String
    public var stderr: String

    /// Runs `executable` with `arguments`, standard input empty, and waits for it to exit.
    ///
    /// - `environment` replaces this process's environment when given.
    /// - Started through `ChildSpawn`, not Foundation's `Process` (whose `run()` crashed here
    ///   while other tests held thousands of descriptors), and waited for on a thread of its
    ///   own (`offloaded`), never on the cooperative pool.
    /// - Standard error goes through a temporary file and standard output is read while the
    ///   program runs, so neither can fill up and stall it.
    /// - Throws: when the program cannot be started.
    public static func run(_ executable: URL, _ arguments: [String], environment: [String: String]? = nil) async throws -> ProgramRun {
        let errorFile = FileManager.default.temporaryDirectory.appendingPathComponent("program-run-\(UUID().uuidString).err")
        defer { try? FileManager.default.removeItem(at: errorFile) }
        return try await offloaded {
            let errors = open(errorFile.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
            guard errors >= 0 else { throw ProgramRunError("cannot create \(errorFile.path): errno \(errno)") }
            defer { close(errors) }
            // Close-on-exec, so no other test's child inherits the write end and holds our read
            // open (ours gets it as its descriptor 1, which dup2 leaves open).
            var output: [Int32] = [-1, -1]
            guard pipe(&output) == 0 else { throw ProgramRunError("pipe failed: errno \(errno)") }
            for end in output { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
            let reader = FileHandle(fileDescriptor: output[0], closeOnDealloc: true)
            let pid: pid_t
            do {
                pid = try ChildSpawn.start([executable.path] + arguments, environment: environment, stdout: output[1], stderr: errors)
            } catch {
                close(output[1])
                throw ProgramRunError("\(error)")
            }
            close(output[1])
            let stdout = reader.readDataToEndOfFile()
            let status = try ChildSpawn.wait(for: pid)
            let stderr = (try? Data(contentsOf: errorFile)) ?? Data()
            return ProgramRun(
                status: status, stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: stderr, as: UTF8.self))
        }
    }
}

/// A program that could not be run.
public struct ProgramRunError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
