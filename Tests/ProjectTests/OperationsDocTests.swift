import Testing

/// docs/operations.md and the README's links stay true to the code and the docs folder.
@Suite("Operations documentation")
struct OperationsDocTests {
    @Test func operationsGuideListsEveryRegisteredMetric() throws {
        let guide = try ProjectFile.text("docs/operations.md")
        let metrics = try MetricNames.inSources()
        #expect(metrics.contains("http_requests_total"))
        let unlisted = metrics.sorted().filter { !guide.contains("`\($0)`") }
        #expect(unlisted == [], "docs/operations.md's metrics list lacks these")
    }

    @Test func operationsGuideCoversTheOperatorsQuestions() throws {
        let guide = try ProjectFile.text("docs/operations.md")
        for heading in ["## Running", "## Health and readiness", "## Metrics", "## Logs", "## Graceful shutdown",
                        "## When the database goes away", "## Pruning", "## Scaling out", "## Alerts, dashboard and runbook",
                        "## Soak"] {
            #expect(guide.contains("\n\(heading)\n"), "docs/operations.md lacks \(heading)")
        }
    }

    @Test func metricScannerFindsRegistrationsAcrossLines() throws {
        let source = """
            let a = registry.counter("a_total", help: "x")
            let b = registry?.gauge(
                "b_open", help: "y")
            let c = metrics.histogram("c_seconds", help: "z", labels: [:])
            let d = counter("not_a_registration")
            """
        #expect(try MetricNames.read(in: source) == ["a_total", "b_open", "c_seconds"])
    }
}
