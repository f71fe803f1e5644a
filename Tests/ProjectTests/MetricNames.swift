/// The Prometheus metric names registered in `Sources/` (`registry.counter("name", ...)`,
/// `.gauge(`, `.histogram(`), so docs/operations.md's metrics list cannot fall behind.
enum MetricNames {
    static func inSources() throws -> Set<String> {
        let registration = try compiledRegistration()
        var names: Set<String> = []
        for path in ProjectFile.swiftFiles(under: "Sources") {
            names.formUnion(read(in: try ProjectFile.text(path), using: registration))
        }
        return names
    }

    /// The metric names one Swift source registers.
    static func read(in source: String) throws -> Set<String> {
        read(in: source, using: try compiledRegistration())
    }

    /// Compiled once per scan: compiling it again for every file cost more than matching it.
    private static func compiledRegistration() throws -> Regex<AnyRegexOutput> {
        try Regex(#"\.(?:counter|gauge|histogram)\(\s*"([a-z][a-z0-9_]*)""#)
    }

    private static func read(in source: String, using registration: Regex<AnyRegexOutput>) -> Set<String> {
        Set(source.matches(of: registration).compactMap { $0.output[1].substring.map(String.init) })
    }
}
