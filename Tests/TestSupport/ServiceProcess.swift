import Foundation
import Synchronization

/// A built service binary (`chat-api`, `chat-gateway`) running as a real process on a free
/// loopback port, for tests.
///
/// ```swift
/// let api = try await ServiceProcess.start("chat-api", portVariable: "API_PORT",
///                                          environment: ["DATABASE_URL": url, "CHAT_SERVICE_KEY": key])
/// let response = try await HTTPTestClient.request(port: api.port, "GET", "/healthz")
/// let status = await api.stop()   // SIGTERM; SIGKILL if it does not exit in time
/// ```
///
/// - The binary is found in `CHAT_BIN_DIR` or beside the test runner (`swift build` puts both
///   in the same folder); build it first (`swift build --build-tests` builds every product).
/// - The child gets this process's environment with `environment` laid over it, and
///   `portVariable=0` and `BIND_HOST=127.0.0.1`: the service binds a free port, which is read
///   back from `/proc` (the child's listening socket), so no port is ever raced for and the
///   service's log level does not matter.
/// - Ready means `/healthz` answered 200. Standard output and error are captured (`output`).
/// - Children still running when the test process exits are killed (`atexit`), so a failed
///   test does not leave services behind.
///
/// `@unchecked Sendable`: `process` is configured and started once in `start`, then only
/// signalled and polled (Foundation's `Process` is safe for that); the output lives in a Mutex.
public final class ServiceProcess: @unchecked Sendable {
    /// The executable's name (`chat-api`).
    public let name: String
    /// The port it listens on.
    public let port: Int
    private let process: Process
    private let captured: CapturedOutput

    private init(name: String, port: Int, process: Process, captured: CapturedOutput) {
        self.name = name
        self.port = port
        self.process = process
        self.captured = captured
    }

    /// The folder of the built products: `CHAT_BIN_DIR`, or the test runner's own folder.
    public static var binDirectory: URL {
        if let directory = ProcessInfo.processInfo.environment["CHAT_BIN_DIR"], !directory.isEmpty {
            return URL(fileURLWithPath: directory)
        }
        return URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    }

    /// The path of the built executable `name`.
    /// - Throws: when it is not there, saying how to build it.
    public static func executable(_ name: String) throws -> URL {
        let url = binDirectory.appendingPathComponent(name)
        guard FileManager.default.isExecutableFile(atPath: url.path) else {
            throw ServiceProcessError(
                "\(url.path) does not exist: build the products before the tests (swift build --build-tests), "
                    + "or set CHAT_BIN_DIR to the folder that holds \(name)")
        }
        return url
    }

    /// Starts `name` and waits until it is ready (at most `timeout`: a wait, not a measure; a whole
    /// test target starts a dozen services at once on two cores, so it is generous).
    /// - Throws: when it cannot start, exits early or is not ready in time; the message
    ///   carries what it printed.
    public static func start(
        _ name: String, portVariable: String, environment: [String: String], timeout: Duration = .seconds(60)
    ) async throws -> ServiceProcess {
        let process = Process()
        process.executableURL = try executable(name)
        var merged = ProcessInfo.processInfo.environment
        merged.merge(environment) { _, new in new }
        merged[portVariable] = "0"
        merged["BIND_HOST"] = "127.0.0.1"
        process.environment = merged
        let captured = CapturedOutput()
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        pipe.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            if data.isEmpty {
                handle.readabilityHandler = nil
            } else {
                captured.append(data)
            }
        }
        try await offloaded { try process.run() }  // never on the cooperative pool (Process.run can block)
        Children.shared.add(process)

        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let port = listeningPort(of: process.processIdentifier) {
                let service = ServiceProcess(name: name, port: port, process: process, captured: captured)
                if await service.isHealthy() { return service }
            }
            guard process.isRunning else {
                try? await Task.sleep(for: .milliseconds(50))  // let the pipe drain
                throw ServiceProcessError("\(name) exited with status \(process.terminationStatus) before it was ready:\n\(captured.text)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        kill(process.processIdentifier, SIGKILL)
        throw ServiceProcessError("\(name) was not ready within \(timeout):\n\(captured.text)")
    }

    /// Runs `name` to completion with `environment` (for processes that should refuse to start)
    /// and returns its exit status and output.
    public static func runToExit(_ name: String, environment: [String: String], timeout: Duration = .seconds(20)) async throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = try executable(name)
        process.environment = environment
        let captured = CapturedOutput()
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        pipe.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            if data.isEmpty { handle.readabilityHandler = nil; captured.finish() } else { captured.append(data) }
        }
        try await offloaded { try process.run() }
        Children.shared.add(process)
        guard await eventually(timeout: timeout, every: .milliseconds(20), { !process.isRunning }) else {
            kill(process.processIdentifier, SIGKILL)
            throw ServiceProcessError("\(name) did not exit within \(timeout):\n\(captured.text)")
        }
        Children.shared.remove(process)
        // The exit can be seen before the pipe's last bytes are: wait for end of file (a loaded
        // machine once lost a whole one-line message to a fixed 50 ms pause here).
        _ = await eventually(timeout: .seconds(5), every: .milliseconds(5)) { captured.isFinished }
        return (process.terminationStatus, captured.text)
    }

    /// Everything the process wrote so far (standard output and error, interleaved).
    public var output: String { captured.text }

    /// The process id (for signals a test wants to send itself).
    public var processIdentifier: Int32 { process.processIdentifier }

    public var isRunning: Bool { process.isRunning }

    /// True when `GET /healthz` answers 200 within a second.
    public func isHealthy() async -> Bool {
        (try? await HTTPTestClient.request(port: port, "GET", "/healthz", timeout: .seconds(1)))?.status == 200
    }

    /// SIGTERM, then waits at most `timeout` for the exit; SIGKILL after that.
    /// - Returns: the exit status, or nil when it had to be killed.
    @discardableResult
    public func stop(timeout: Duration = .seconds(12)) async -> Int32? {
        if process.isRunning { kill(process.processIdentifier, SIGTERM) }
        guard await eventually(timeout: timeout, every: .milliseconds(20), { !process.isRunning }) else {
            kill(process.processIdentifier, SIGKILL)
            await offloaded { process.waitUntilExit() }
            Children.shared.remove(process)
            return nil
        }
        Children.shared.remove(process)
        return process.terminationStatus
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    /// The TCP port process `pid` listens on: its socket descriptors (`/proc/<pid>/fd`) matched
    /// by inode against the listening sockets of `/proc/<pid>/net/tcp` and `tcp6`.
    static func listeningPort(of pid: Int32) -> Int? {
        let fdDirectory = "/proc/\(pid)/fd"
        guard let descriptors = try? FileManager.default.contentsOfDirectory(atPath: fdDirectory) else { return nil }
        var inodes: Set<String> = []
        for descriptor in descriptors {
            guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "\(fdDirectory)/\(descriptor)"),
                  target.hasPrefix("socket:[") else { continue }
            inodes.insert(String(target.dropFirst(8).dropLast()))
        }
        for table in ["tcp", "tcp6"] {
            guard let text = try? String(contentsOfFile: "/proc/\(pid)/net/\(table)", encoding: .utf8) else { continue }
            for line in text.split(separator: "\n").dropFirst() {
                // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
                let fields = line.split(separator: " ")
                guard fields.count > 9, fields[3] == "0A", inodes.contains(String(fields[9])),
                      let portHex = fields[1].split(separator: ":").last, let port = Int(portHex, radix: 16)
                else { continue }
                return port
            }
        }
        return nil
    }
}

/// Why a service process could not be used.
public struct ServiceProcessError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// What a child wrote, appended from its pipe's handler thread.
final class CapturedOutput: Sendable {
    private let bytes = Mutex<[UInt8]>([])
    private let finished = Mutex(false)

    func append(_ data: Data) { bytes.withLock { $0.append(contentsOf: data) } }

    /// Marks end of file: everything the process wrote has been appended.
    func finish() { finished.withLock { $0 = true } }

    var isFinished: Bool { finished.withLock { $0 } }

    var text: String { String(decoding: bytes.withLock { $0 }, as: UTF8.self) }
}

/// Children started by this process, killed when it exits so none outlives a test run. A pid is
/// killed only while it still runs the executable it was started with (pids are reused).
final class Children: Sendable {
    static let shared = Children()
    private let started = Mutex<[Int32: String]>([:])

    private init() {
        atexit {
            for (pid, path) in Children.shared.started.withLock({ $0 }) where Children.runs(pid, path) {
                kill(pid, SIGKILL)
            }
        }
    }

    func add(_ process: Process) {
        guard let path = process.executableURL?.path else { return }
        started.withLock { $0[process.processIdentifier] = path }
    }

    func remove(_ process: Process) {
        _ = started.withLock { $0.removeValue(forKey: process.processIdentifier) }
    }

    private static func runs(_ pid: Int32, _ path: String) -> Bool {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/exe")) == path
    }
}
