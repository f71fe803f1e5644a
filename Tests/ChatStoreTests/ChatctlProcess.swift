import Foundation
import TestSupport
import Testing

/// Runs the built `chatctl` as a real process.
enum ChatctlProcess {
    /// Where `swift build` put the executables: `CHAT_BIN_DIR`, or the test runner's folder.
    static var executable: URL {
        let environment = ProcessInfo.processInfo.environment
        let directory = environment["CHAT_BIN_DIR"].map { URL(fileURLWithPath: $0) }
            ?? URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        return directory.appendingPathComponent("chatctl")
    }

    /// Runs `chatctl arguments...` with `environment` as its whole environment (plus PATH), and
    /// waits for it to exit (off the cooperative pool: see `ProgramRun`).
    static func run(_ arguments: [String], environment: [String: String]) async throws -> ProgramRun {
        let path = executable.path
        try #require(FileManager.default.isExecutableFile(atPath: path),
                     "chatctl is not built at \(path) (swift build --build-tests builds it)")
        var fullEnvironment = environment
        fullEnvironment["PATH"] = ProcessInfo.processInfo.environment["PATH"]
        return try await ProgramRun.run(executable, arguments, environment: fullEnvironment)
    }
}
