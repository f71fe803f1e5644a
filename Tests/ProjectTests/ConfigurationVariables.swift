import Foundation

/// The environment variables the services read, found in `Sources/` so the README cannot fall
/// behind the code. A name counts when it is looked up as `environment["NAME"]`, `env["NAME"]`
/// or `getenv("NAME")`; read through a settings helper (`env.integer("NAME", ...)`,
/// `settings.port("NAME", ...)`; `EnvironmentSettings` in HTTP); named by an
/// `EnvironmentSettingError(name: "NAME", ...)`; or carries the project's `CHAT_` prefix.
enum ConfigurationVariables {
    static func inSources() throws -> Set<String> {
        let lookups = try compiledLookups()
        var names: Set<String> = []
        for path in ProjectFile.swiftFiles(under: "Sources") {
            names.formUnion(read(in: try ProjectFile.text(path), using: lookups))
        }
        return names
    }

    /// The variable names one Swift source mentions.
    static func read(in source: String) throws -> Set<String> {
        read(in: source, using: try compiledLookups())
    }

    /// The lookups, compiled once per scan: compiling them again for every file cost more than
    /// matching them.
    private static func compiledLookups() throws -> [Regex<AnyRegexOutput>] {
        let name = #""([A-Z][A-Z0-9_]*)""#
        // Not `\b`: Swift Regex uses Unicode word boundaries, where `info.environment` is one word.
        let notAfterIdentifier = #"(?:^|[^A-Za-z0-9_])"#
        return try [
            notAfterIdentifier + #"(?:environment|env|getenv)\s*[\[(]\s*"# + name,
            notAfterIdentifier + #"(?:environment|env|settings)\s*\.\s*[a-z][A-Za-z]*\(\s*"# + name,
            #"EnvironmentSettingError\(\s*name:\s*"# + name,
            #""(CHAT_[A-Z0-9_]+)""#,
        ].map { try Regex($0) }
    }

    private static func read(in source: String, using lookups: [Regex<AnyRegexOutput>]) -> Set<String> {
        var names: Set<String> = []
        for lookup in lookups {
            for match in source.matches(of: lookup) {
                if let found = match.output[1].substring {
                    names.insert(String(found))
                }
            }
        }
        return names
    }
}
