import HTTP
import Synchronization

/// Refreshes `chat_gateway_event_log_oldest_age_seconds` every `interval` (one indexed read of
/// `chat.event_log_status`), so an alert sees pruning that stopped. A failed read keeps the last
/// value: the database being away has alerts of its own.
final class EventLogAgeProbe: Sendable {
    private let log: EventLog
    private let gauge: Gauge
    private let interval: Duration
    private let task = Mutex<Task<Void, Never>?>(nil)

    init(log: EventLog, gauge: Gauge, interval: Duration = .seconds(60)) {
        self.log = log
        self.gauge = gauge
        self.interval = interval
    }

    func start() {
        let log = self.log, gauge = self.gauge, interval = self.interval
        let probe = Task {
            while !Task.isCancelled {
                if let age = try? await log.oldestEventAge() { gauge.set(age) }
                try? await Task.sleep(for: interval)
            }
        }
        task.withLock { $0 = probe }
    }

    func stop() {
        task.withLock { $0 }?.cancel()
    }
}
