import Synchronization

/// The process's metrics: counters, gauges and histograms with labels, rendered for
/// Prometheus by `render()` (served at `GET /metrics`).
///
/// Asking twice for the same name and labels returns the same instrument, so callers may either
/// keep instruments or look them up when needed. Lookups take a lock; updates on an instrument
/// do not (counters and gauges are atomics, a histogram holds a tiny lock per observation).
/// Names and label names are the program's, not input: a bad one, or one name used for two
/// kinds of metric, is a programming error and stops the process.
public final class MetricsRegistry: Sendable {
    enum Kind: String, Sendable {
        case counter, gauge, histogram
    }

    enum Instrument: Sendable {
        case counter(Counter)
        case gauge(Gauge)
        case histogram(Histogram)
    }

    struct Family: Sendable {
        let name: String
        let help: String
        let kind: Kind
        /// Keyed by the rendered label set (`a="1",b="2"`, names sorted).
        var series: [String: Instrument] = [:]
    }

    private let families = Mutex<[String: Family]>([:])
    private let collectors = Mutex<[@Sendable () -> Void]>([])

    public init() {}

    public func counter(_ name: String, help: String, labels: [String: String] = [:]) -> Counter {
        let instrument = instrument(name, help: help, kind: .counter, labels: labels) { .counter(Counter()) }
        guard case .counter(let counter) = instrument else { preconditionFailure("unreachable: kind checked") }
        return counter
    }

    public func gauge(_ name: String, help: String, labels: [String: String] = [:]) -> Gauge {
        let instrument = instrument(name, help: help, kind: .gauge, labels: labels) { .gauge(Gauge()) }
        guard case .gauge(let gauge) = instrument else { preconditionFailure("unreachable: kind checked") }
        return gauge
    }

    /// A histogram series; `buckets` apply when the series is created (later calls get the
    /// existing series whatever buckets they pass).
    public func histogram(_ name: String, help: String, labels: [String: String] = [:],
                          buckets: [Double] = Histogram.defaultLatencyBuckets) -> Histogram {
        let instrument = instrument(name, help: help, kind: .histogram, labels: labels) { .histogram(Histogram(buckets: buckets)) }
        guard case .histogram(let histogram) = instrument else { preconditionFailure("unreachable: kind checked") }
        return histogram
    }

    /// Runs `body` before every `render()`, so a service can copy state it does not own into
    /// gauges just in time (database pool use, open streams).
    public func registerCollector(_ body: @escaping @Sendable () -> Void) {
        collectors.withLock { $0.append(body) }
    }

    private func instrument(_ name: String, help: String, kind: Kind, labels: [String: String],
                            make: () -> Instrument) -> Instrument {
        precondition(PrometheusText.isValidMetricName(name), "invalid metric name \(name)")
        precondition(labels.keys.allSatisfy { PrometheusText.isValidLabelName($0) && !(kind == .histogram && $0 == "le") },
                     "invalid label name in \(labels.keys.sorted()) for \(name)")
        let key = PrometheusText.labelSet(labels)
        return families.withLock { families in
            var family = families[name] ?? Family(name: name, help: help, kind: kind)
            precondition(family.kind == kind, "metric \(name) is a \(family.kind.rawValue), not a \(kind.rawValue)")
            if let existing = family.series[key] { return existing }
            let created = make()
            family.series[key] = created
            families[name] = family
            return created
        }
    }

    /// Prometheus text exposition format 0.0.4: families sorted by name, series by labels.
    public func render() -> String {
        let bodies = collectors.withLock { $0 }
        for body in bodies { body() }
        let snapshot = families.withLock { $0 }
        var out = ""
        for name in snapshot.keys.sorted() {
            PrometheusText.append(snapshot[name]!, to: &out)
        }
        return out
    }

    /// The `Content-Type` of `render()`'s text.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"
}
