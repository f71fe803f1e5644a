/// A setting read from the environment that cannot be used. Its description is the one clear
/// line a main prints before exiting (docs/api.md: a bad setting stops the process at start).
public struct EnvironmentSettingError: Error, Sendable, CustomStringConvertible {
    /// The variable's name, e.g. `LOG_LEVEL`.
    public var name: String
    /// What a valid value looks like.
    public var expected: String

    public init(name: String, expected: String) {
        self.name = name
        self.expected = expected
    }

    public var description: String { "invalid setting \(name): expected \(expected)" }
}
