import HTTP

/// The gateway's own instruments (docs/api.md, "Operations": open streams, events delivered,
/// delivery lag), beside the HTTP server's request metrics in the same registry.
struct GatewayMetrics: Sendable {
    let registry: MetricsRegistry
    let openStreams: Gauge
    let deliveries: Counter
    let deliveredBytes: Counter
    /// From `committed_at` to the moment the event's bytes were queued on its streams
    /// (once per routed event that reached at least one stream).
    let deliveryLag: Histogram
    let slowConsumerDisconnects: Counter
    let tailPosition: Gauge
    let tailErrors: Counter
    let replayedEvents: Counter
    let resets: Counter
    let rejectedStreams: Counter
    /// 1 while the `LISTEN chat_events` connection is up (set at each scrape).
    let listenerConnected: Gauge
    /// `EVENT_RETENTION_HOURS` in seconds, and the age of the oldest kept event
    /// (`EventLogAgeProbe`): together the alert on pruning that stopped.
    let eventRetention: Gauge
    let oldestEventAge: Gauge

    /// Seconds, 0.5 ms to 10 s: fan-out lag is expected in milliseconds.
    static let lagBuckets: [Double] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    init(registry: MetricsRegistry) {
        self.registry = registry
        openStreams = registry.gauge("chat_gateway_open_streams", help: "Event streams open on this replica.")
        deliveries = registry.counter("chat_gateway_deliveries_total", help: "Events queued on streams (one per event per stream).")
        deliveredBytes = registry.counter("chat_gateway_delivered_bytes_total", help: "Bytes of events queued on streams.")
        deliveryLag = registry.histogram("chat_gateway_delivery_lag_seconds",
                                         help: "Time from an event's commit to its bytes being queued on its streams.",
                                         buckets: GatewayMetrics.lagBuckets)
        slowConsumerDisconnects = registry.counter("chat_gateway_slow_consumer_disconnects_total",
                                                   help: "Streams closed because their unsent bytes passed the bound.")
        tailPosition = registry.gauge("chat_gateway_tail_position", help: "The last chat.events position routed.")
        tailErrors = registry.counter("chat_gateway_tail_errors_total", help: "Failed reads of chat.events (retried).")
        replayedEvents = registry.counter("chat_gateway_replayed_events_total", help: "Events replayed to resuming streams.")
        resets = registry.counter("chat_gateway_resets_total", help: "Streams that got reset instead of a replay.")
        rejectedStreams = registry.counter("chat_gateway_rejected_streams_total",
                                           help: "Stream requests refused because the user has too many open streams.")
        listenerConnected = registry.gauge("chat_gateway_listener_connected",
                                           help: "1 while the LISTEN chat_events connection is up, else 0.")
        eventRetention = registry.gauge("chat_gateway_event_retention_seconds",
                                        help: "EVENT_RETENTION_HOURS in seconds: older Last-Event-IDs get reset.")
        oldestEventAge = registry.gauge("chat_gateway_event_log_oldest_age_seconds",
                                        help: "Age of the oldest event kept in chat.events (0 when empty), refreshed every minute.")
    }

    /// Events routed, by stored type (a small fixed set of labels).
    func routed(_ type: String) -> Counter {
        registry.counter("chat_gateway_events_routed_total", help: "chat.events rows routed, by type.", labels: ["type": type])
    }
}
