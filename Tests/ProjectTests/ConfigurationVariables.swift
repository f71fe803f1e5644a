import Foundation

/// The environment variables the services read, found in `Sources/` so the README cannot fall
/// behind the code. A name counts when it is looked up as `environment["NAME"]`, `env["NAME"]`
/// or `getenv("NAME")`; read through a settings helper (`env.integer("NAME", ...)`,
/// `settings.port("NAME", ...)`; `EnvironmentSettings` in HTTP); named by an
/// `EnvironmentSettingError(name: "NAME", ...)`; or carries the project's `CHAT_` prefix.
enum ConfigurationVariables {
    static func inSources() throws -> Set<String> {
        var names: Set<String> = []
        for path in ProjectFile.swiftFiles(under: "Sources") {
            names.formUnion(try read(in: ProjectFile.text(path)))
        }
        return names
    }

    /// The variable names one Swift source mentions.
    static func read(in source: String) throws -> Set<String> {
        let name = #""([A-Z][A-Z0-9_]*)""#
        // Not `\b`: Swift Regex uses Unicode word boundaries, where `info.environment` is one word.
        let notAfterIdentifier = #"(?:^|[^A-Za-z0-9_])"#
        let patterns = [
            notAfterIdentifier + #"(?:environment|env|getenv)\s*[\[(]\s*"# + name,
            notAfterIdentifier + #"(?:environment|env|settings)\s*\.\s*[a-z][A-Za-z]*\(\s*"# + name,
            #"EnvironmentSettingError\(\s*name:\s*"# + name,
            #""(CHAT_[A-Z0-9_]+)""#,
        ]
        var names: Set<String> = []
        for pattern in patterns {
            for match in source.matches(of: try Regex(pattern)) {
                if let found = match.output[1].substring {
                    names.insert(String(found))
                }
            }
        }
        return names
    }
}
