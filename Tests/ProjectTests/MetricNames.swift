/// The Prometheus metric names registered in `Sources/` (`registry.counter("name", ...)`,
/// `.gauge(`, `.histogram(`), so docs/operations.md's metrics list cannot fall behind.
enum MetricNames {
    static func inSources() throws -> Set<String> {
        var names: Set<String> = []
        for path in ProjectFile.swiftFiles(under: "Sources") {
            names.formUnion(try read(in: ProjectFile.text(path)))
        }
        return names
    }

    /// The metric names one Swift source registers.
    static func read(in source: String) throws -> Set<String> {
        let pattern = try Regex(#"\.(?:counter|gauge|histogram)\(\s*"([a-z][a-z0-9_]*)""#)
        return Set(source.matches(of: pattern).compactMap { $0.output[1].substring.map(String.init) })
    }
}
