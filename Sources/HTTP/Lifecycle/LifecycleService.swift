/// A long-lived part of a process (the API, the gateway) with a start and a graceful stop,
/// driven by `ServiceRunner`.
public protocol LifecycleService: Sendable {
    /// Binds, connects, starts background work. Throwing stops the process with one line.
    func start() async throws
    /// Stops accepting work, finishes what is in flight (within `deadline`), releases resources.
    func shutdown(deadline: Duration) async
}
