import Foundation
import Testing

/// Runs the built `chatctl` as a real process.
enum ChatctlProcess {
    struct Outcome: Sendable {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Where `swift build` put the executables: `CHAT_BIN_DIR`, or the test runner's folder.
    static var executable: URL {
        let environment = ProcessInfo.processInfo.environment
        let directory = environment["CHAT_BIN_DIR"].map { URL(fileURLWithPath: $0) }
            ?? URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        return directory.appendingPathComponent("chatctl")
    }

    /// Runs `chatctl arguments...` with `environment` as its whole environment (plus PATH), and
    /// waits for it to exit.
    static func run(_ arguments: [String], environment: [String: String]) async throws -> Outcome {
        let path = executable.path
        try #require(FileManager.default.isExecutableFile(atPath: path),
                     "chatctl is not built at \(path) (swift build --build-tests builds it)")
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        var fullEnvironment = environment
        fullEnvironment["PATH"] = ProcessInfo.processInfo.environment["PATH"]
        process.environment = fullEnvironment
        let stdout = Pipe(), stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = FileHandle.nullDevice
        return try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { finished in
                let out = stdout.fileHandleForReading.readDataToEndOfFile()
                let err = stderr.fileHandleForReading.readDataToEndOfFile()
                continuation.resume(returning: Outcome(
                    status: finished.terminationStatus,
                    stdout: String(decoding: out, as: UTF8.self), stderr: String(decoding: err, as: UTF8.self)))
            }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
    }
}
