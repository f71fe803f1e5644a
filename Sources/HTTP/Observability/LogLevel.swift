import Foundation

/// How much a `Logger` writes. Ordered: a logger at `.warning` drops `debug` and `info`.
public enum LogLevel: String, Sendable, Comparable, CaseIterable {
    case debug
    case info
    case warning
    case error

    private var rank: Int {
        switch self {
        case .debug: 0
        case .info: 1
        case .warning: 2
        case .error: 3
        }
    }

    public static func < (lhs: LogLevel, rhs: LogLevel) -> Bool { lhs.rank < rhs.rank }

    /// `LOG_LEVEL` (`debug`, `info`, `warning` or `warn`, `error`; any case). Unset or empty
    /// means `.info`; anything else throws so the process stops with one clear line.
    public static func fromEnvironment(
        _ environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(EnvironmentSettingError) -> LogLevel {
        guard let raw = environment["LOG_LEVEL"]?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else {
            return .info
        }
        switch raw.lowercased() {
        case "debug": return .debug
        case "info": return .info
        case "warning", "warn": return .warning
        case "error": return .error
        default: throw EnvironmentSettingError(name: "LOG_LEVEL", expected: "one of debug, info, warning, error")
        }
    }
}
