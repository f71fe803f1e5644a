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
    /// - Launching, reading and waiting all happen on a thread of its own (`offloaded`): they
    ///   block, and Foundation's `Process.run()` walks every descriptor of the test process
    ///   (thousands while other tests hold connections) and attaches to the launching thread's
    ///   run loop, which a cooperative thread should not be.
    /// - Standard error goes through a temporary file and standard output is read while the
    ///   program runs, so neither can fill up and stall it.
    /// - Throws: when the program cannot be started.
    public static func run(_ executable: URL, _ arguments: [String], environment: [String: String]? = nil) async throws -> ProgramRun {
        let errorFile = FileManager.default.temporaryDirectory.appendingPathComponent("program-run-\(UUID().uuidString).err")
        guard FileManager.default.createFile(atPath: errorFile.path, contents: nil) else {
            throw ProgramRunError("cannot create \(errorFile.path)")
        }
        defer { try? FileManager.default.removeItem(at: errorFile) }
        return try await offloaded {
            let errors = try FileHandle(forWritingTo: errorFile)
            defer { try? errors.close() }
            let process = Process()
            process.executableURL = executable
            process.arguments = arguments
            if let environment { process.environment = environment }
            let output = Pipe()
            process.standardOutput = output
            process.standardError = errors
            process.standardInput = FileHandle.nullDevice
            try process.run()
            let stdout = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            let stderr = (try? Data(contentsOf: errorFile)) ?? Data()
            return ProgramRun(
                status: process.terminationReason == .exit ? process.terminationStatus : 128 + process.terminationStatus,
                stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: stderr, as: UTF8.self))
        }
    }
}

/// A program that could not be run.
public struct ProgramRunError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
