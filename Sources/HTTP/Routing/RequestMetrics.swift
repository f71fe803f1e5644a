import Synchronization

/// The router's two instruments per request (`http_requests_total` by method, route template
/// and status; `http_request_duration_seconds` by method and route template), looked up in the
/// registry once per combination and then found in a small cache keyed by plain values, so a
/// request costs one short critical section, not label rendering.
final class RequestMetrics: Sendable {
    private struct Key: Hashable {
        let method: String
        let route: String
        let status: Int
    }

    private let registry: MetricsRegistry
    private let cache = Mutex<[Key: (requests: Counter, duration: Histogram)]>([:])

    init(registry: MetricsRegistry) { self.registry = registry }

    func record(method: String, route: String, status: Int, seconds: Double) {
        let key = Key(method: method, route: route, status: status)
        let instruments = cache.withLock { $0[key] } ?? create(key)
        instruments.requests.increment()
        instruments.duration.observe(seconds)
    }

    private func create(_ key: Key) -> (requests: Counter, duration: Histogram) {
        let instruments = (
            requests: registry.counter("http_requests_total", help: "HTTP requests by method, route template and status.",
                                       labels: ["method": key.method, "route": key.route, "status": String(key.status)]),
            duration: registry.histogram("http_request_duration_seconds", help: "Time to the response head, by method and route template.",
                                         labels: ["method": key.method, "route": key.route]))
        cache.withLock { $0[key] = instruments }
        return instruments
    }
}
