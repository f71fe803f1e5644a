#if canImport(Glibc)
import Glibc
#endif

/// A structured logger: one JSON object per line,
/// `{"time":"2026-11-25T12:00:00.123Z","level":"info","label":"http","message":"...", ...fields}`.
///
/// A value, like swift-log's: `withFields` returns a copy that adds its fields to every line
/// (a request's id, say). Fields sit at the top level beside the fixed keys; a field named like
/// a fixed key is written as `field.<name>`. Fields whose names mark credentials
/// (`authorization`, `access_token`, `token`, `cookie`, `password`) are written as `[redacted]`,
/// and `access_token` values in any string that carries one are replaced (see `redactingQuery`).
public struct Logger: Sendable {
    public let label: String
    public let level: LogLevel
    public private(set) var fields: [String: LogValue]
    let output: LogOutput

    public init(label: String, level: LogLevel = .info) {
        self.init(label: label, level: level, output: .standardOutput)
    }

    /// A logger writing to `output` (tests read lines this way).
    public init(label: String, level: LogLevel = .info, output: LogOutput) {
        self.label = label
        self.level = level
        self.fields = [:]
        self.output = output
    }

    /// A copy that adds `fields` to every line it writes (later values win).
    public func withFields(_ fields: [String: LogValue]) -> Logger {
        var copy = self
        copy.fields.merge(fields) { _, new in new }
        return copy
    }

    public func debug(_ message: String, _ fields: [String: LogValue] = [:]) { log(.debug, message, fields) }
    public func info(_ message: String, _ fields: [String: LogValue] = [:]) { log(.info, message, fields) }
    public func warning(_ message: String, _ fields: [String: LogValue] = [:]) { log(.warning, message, fields) }
    public func error(_ message: String, _ fields: [String: LogValue] = [:]) { log(.error, message, fields) }

    /// True when a line at `level` would be written: guard costly field building with it.
    public func isEnabled(_ level: LogLevel) -> Bool { level >= self.level }

    public func log(_ level: LogLevel, _ message: String, _ fields: [String: LogValue] = [:]) {
        guard isEnabled(level) else { return }
        output.write(Array(line(level, message, fields, time: Logger.now()).utf8))
    }

    /// The JSON line (with its `\n`) for a message at `time`.
    func line(_ level: LogLevel, _ message: String, _ callFields: [String: LogValue], time: String) -> String {
        let all = callFields.isEmpty ? fields : fields.merging(callFields) { _, new in new }
        var out = "{\"time\":\"\(time)\",\"level\":\"\(level.rawValue)\",\"label\":"
        out += JSONString.quote(label)
        out += ",\"message\":"
        out += JSONString.quote(Logger.redactingQuery(message))
        for key in all.keys.sorted() {
            let name = Logger.reservedKeys.contains(key) ? "field.\(key)" : key
            out += ","
            out += JSONString.quote(name)
            out += ":"
            Logger.redacted(key: key, value: all[key]!).appendJSON(to: &out)
        }
        out += "}\n"
        return out
    }

    private static let reservedKeys: Set<String> = ["time", "level", "label", "message"]

    /// The current time as RFC 3339 UTC with milliseconds, without Foundation's formatters
    /// (which are slow and not safe to share between threads).
    static func now() -> String {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return rfc3339(seconds: spec.tv_sec, milliseconds: Int(spec.tv_nsec / 1_000_000))
    }

    static func rfc3339(seconds: Int, milliseconds: Int) -> String {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(Int32(milliseconds), 3))Z"
    }
}
