import Foundation

/// Typed settings read from the process environment (twelve-factor configuration).
///
/// Every accessor either returns a usable value or throws an `EnvironmentSettingError` naming the
/// variable and what a valid value looks like, so a service stops at start with one clear line
/// (docs/api.md: "a missing or invalid setting stops the process at start") instead of failing later
/// with something obscure. An empty or all-blank value counts as unset. Values of secret
/// settings are never echoed back in an error.
public struct EnvironmentSettings: Sendable {
    /// The variables, as given (tests pass a dictionary; services the real environment).
    public let values: [String: String]

    public init(_ values: [String: String] = ProcessInfo.processInfo.environment) {
        self.values = values
    }

    /// The trimmed value of `name`, or nil when it is unset or blank.
    public func raw(_ name: String) -> String? {
        guard let value = values[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { return nil }
        return value
    }

    /// A text setting; `defaultValue` nil makes it required.
    public func string(_ name: String, default defaultValue: String? = nil, expected: String = "a non-empty value") throws(EnvironmentSettingError) -> String {
        if let value = raw(name) { return value }
        if let defaultValue { return defaultValue }
        throw EnvironmentSettingError(name: name, expected: "\(expected) (it is not set)")
    }

    /// A required PostgreSQL connection string: a `postgres://` or `postgresql://` URL, or
    /// libpq's `key=value` form. Both services read `DATABASE_URL` with it.
    public func databaseURL(_ name: String) throws(EnvironmentSettingError) -> String {
        let expected = "a PostgreSQL URL such as postgres://chat@127.0.0.1:5432/chat"
        let url = try string(name, expected: expected)
        guard url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") || url.contains("=") else {
            throw EnvironmentSettingError(name: name, expected: expected)
        }
        return url
    }

    /// A required secret of at least `minimumLength` characters. The value never appears in
    /// the error. Leading and trailing white space is kept out (it is almost always a paste error).
    public func secret(_ name: String, minimumLength: Int) throws(EnvironmentSettingError) -> String {
        let expected = "a secret of at least \(minimumLength) characters"
        guard let value = raw(name) else { throw EnvironmentSettingError(name: name, expected: "\(expected) (it is not set)") }
        guard value.count >= minimumLength else {
            throw EnvironmentSettingError(name: name, expected: "\(expected) (it has \(value.count))")
        }
        return value
    }

    /// A whole number within `range`.
    public func integer(_ name: String, default defaultValue: Int, in range: ClosedRange<Int>) throws(EnvironmentSettingError) -> Int {
        guard let text = raw(name) else { return defaultValue }
        guard let value = Int(text), range.contains(value) else {
            throw EnvironmentSettingError(name: name, expected: "a whole number from \(range.lowerBound) to \(range.upperBound), got \(Self.quoted(text))")
        }
        return value
    }

    /// A decimal number within `range` (rates, for example).
    public func decimal(_ name: String, default defaultValue: Double, in range: ClosedRange<Double>) throws(EnvironmentSettingError) -> Double {
        guard let text = raw(name) else { return defaultValue }
        guard let value = Double(text), value.isFinite, range.contains(value) else {
            throw EnvironmentSettingError(name: name, expected: "a number from \(Self.format(range.lowerBound)) to \(Self.format(range.upperBound)), got \(Self.quoted(text))")
        }
        return value
    }

    /// A TCP port; 0 asks the system for a free one (tests use it).
    public func port(_ name: String, default defaultValue: Int) throws(EnvironmentSettingError) -> Int {
        try integer(name, default: defaultValue, in: 0...65_535)
    }

    /// An IP address to bind (`127.0.0.1`, `0.0.0.0`, `::1`...). Host names are refused:
    /// binding must not depend on name resolution.
    public func bindAddress(_ name: String, default defaultValue: String) throws(EnvironmentSettingError) -> String {
        guard let text = raw(name) else { return defaultValue }
        var v4 = in_addr()
        var v6 = in6_addr()
        guard inet_pton(AF_INET, text, &v4) == 1 || inet_pton(AF_INET6, text, &v6) == 1 else {
            throw EnvironmentSettingError(name: name, expected: "an IPv4 or IPv6 address such as 127.0.0.1 or 0.0.0.0, got \(Self.quoted(text))")
        }
        return text
    }

    static func quoted(_ text: String) -> String { "\"" + String(text.prefix(80)) + "\"" }

    static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}
