extension Router {
    /// `GET /healthz` (200 `{"status":"ok"}`: the process is up), `GET /readyz` (200
    /// `{"status":"ready"}` when `ready()` says the dependencies answer, else 503 `unavailable`)
    /// and `GET /metrics` (`metrics.render()`, Prometheus text 0.0.4, with the process's
    /// descriptors and memory: `ProcessMetrics`).
    public func addOperationalRoutes(metrics: MetricsRegistry, ready: @escaping @Sendable () async -> Bool) {
        ProcessMetrics.register(in: metrics)
        addImmediate(.GET, "/healthz") { _ in .json(200, ["status": "ok"]) }
        add(.GET, "/readyz") { _ in
            guard await ready() else { throw APIError.unavailable() }
            return .json(200, ["status": "ready"])
        }
        add(.GET, "/metrics") { _ in .text(200, metrics.render(), contentType: MetricsRegistry.contentType) }
    }
}
