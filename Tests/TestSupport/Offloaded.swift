/// Runs blocking `work` (libpq calls, `initdb`/`pg_ctl`, `waitpid`, socket reads, heavy CPU
/// loops) on a thread of its own and awaits its result, so it never holds one of the cooperative
/// pool's threads: there are as many as cores (two on CI), and every async test, every
/// in-process server's handlers and every `Task.sleep` in the test process share them. A few
/// tests blocking them at once stall all the others and break their time bounds.
///
/// ```swift
/// let rows = try await offloaded { try connection.query("SELECT 1") }
/// ```
///
/// `work` runs in the calling task (on a task executor that owns one fresh thread), not in a
/// new one: its task-local values are there, so `#expect` and `#require` inside it are
/// recorded against the running test.
public func offloaded<T, Failure: Error>(_ work: () throws(Failure) -> T) async throws(Failure) -> T {
    let executor = DedicatedThreadExecutor(name: "offloaded")
    defer { executor.finish() }
    return try await withTaskExecutorPreference(executor) { () async throws(Failure) -> T in
        try work()
    }
}
