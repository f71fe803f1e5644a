import HTTP

/// The group committer's instruments on `/metrics`.
struct CommitMetrics: Sendable {
    /// Sends per committed batch.
    let batchSize: Histogram
    /// Time from taking a batch to having its results (the transaction and its commit).
    let commitSeconds: Histogram
    let messagesStored: Counter
    /// Batches that failed as a whole and were retried row by row.
    let splitBatches: Counter
    /// Rows handed to the waiting path because another writer held their conversation.
    let busyRows: Counter

    init(registry: MetricsRegistry) {
        batchSize = registry.histogram(
            "chat_send_batch_size", help: "Messages per group-commit batch.",
            buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024])
        commitSeconds = registry.histogram(
            "chat_send_commit_seconds", help: "Time to write and commit one group-commit batch.",
            buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5])
        messagesStored = registry.counter("chat_messages_stored_total", help: "Messages stored by this process.")
        splitBatches = registry.counter("chat_send_batches_split_total", help: "Batches retried row by row after a failure.")
        busyRows = registry.counter("chat_send_busy_rows_total", help: "Sends whose conversation was locked by another writer when their batch ran.")
    }

    func recordBatch(size: Int, duration: Duration) {
        batchSize.observe(Double(size))
        commitSeconds.observe(duration)
    }
}
