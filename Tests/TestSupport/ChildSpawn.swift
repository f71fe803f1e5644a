import Foundation

/// Starting and reaping child processes with `posix_spawn`, for the test fixtures, instead of
/// Foundation's `Process`:
/// - `Process.run()` crashed twice in these suites (SIGSEGV in a memcpy, over names read from
///   /proc/self/fd) while the HTTP engine's load test held some 2000 descriptors: it copies a
///   whole `dirent` for each entry, which can read past the end of readdir's buffer;
/// - a child started by `Process` keeps its exit-monitoring socket, so one that outlives its
///   launch (`pg_ctl start`'s server) keeps `waitUntilExit()` waiting.
///
/// Here the child gets standard input from /dev/null, `stdout` and `stderr` as its 1 and 2,
/// and nothing else: every other descriptor is closed in it.
enum ChildSpawn {
    /// Starts `command` (an absolute path first). `environment` replaces this process's when
    /// given. Returns the child's pid; reap it with `wait(for:)`.
    static func start(_ command: [String], environment: [String: String]? = nil, stdout: Int32, stderr: Int32) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, stdout, 1)
        posix_spawn_file_actions_adddup2(&actions, stderr, 2)
        if let closeFrom = addCloseFrom {
            _ = closeFrom(&actions, 3)
        } else {
            for descriptor in openDescriptors() where descriptor > 2 {
                posix_spawn_file_actions_addclose(&actions, descriptor)
            }
        }
        let arguments = command.map { strdup($0) } + [nil]
        defer { arguments.forEach { free($0) } }
        let variables = environment.map { $0.map { strdup("\($0.key)=\($0.value)") } + [nil] }
        defer { variables?.forEach { free($0) } }
        var pid: pid_t = 0
        let result = variables.map { posix_spawn(&pid, command[0], &actions, nil, arguments, $0) }
            ?? posix_spawn(&pid, command[0], &actions, nil, arguments, environ)
        guard result == 0 else {
            throw ChildSpawnError("could not start \(command[0]): \(String(cString: strerror(result)))")
        }
        return pid
    }

    /// Waits for `pid` to end; its exit status, or 128 + the signal that ended it.
    static func wait(for pid: pid_t) throws -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw ChildSpawnError("waitpid failed: errno \(errno)") }
        }
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }

    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34 and later; its header declares it
    /// only for `_GNU_SOURCE`, so Swift does not see it): closes every descriptor from the
    /// given one up in the child, including those other threads open while we spawn. Nil on
    /// an older C library, where the descriptors listed just before spawning are closed.
    private static let addCloseFrom: AddCloseFrom? = {
        guard let library = dlopen(nil, RTLD_NOW),
              let symbol = dlsym(library, "posix_spawn_file_actions_addclosefrom_np")
        else { return nil }
        return unsafeBitCast(symbol, to: AddCloseFrom.self)
    }()

    /// The descriptors open in this process now, from /proc/self/fd. Each name is read where
    /// readdir put it: a `dirent` is only as long as its name, so copying the whole struct (as
    /// `Process.run()` does) can read past the end of readdir's buffer.
    private static func openDescriptors() -> [Int32] {
        guard let directory = opendir("/proc/self/fd") else { return [] }
        defer { closedir(directory) }
        let nameOffset = MemoryLayout<dirent>.offset(of: \dirent.d_name) ?? 19
        var descriptors: [Int32] = []
        while let entry = readdir(directory) {
            let name = UnsafeRawPointer(entry).advanced(by: nameOffset).assumingMemoryBound(to: CChar.self)
            if let descriptor = Int32(String(cString: name)) { descriptors.append(descriptor) }
        }
        return descriptors
    }
}

/// A child process that could not be started or waited for.
struct ChildSpawnError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
