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
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        output.write(line(level, message, fields, seconds: now.tv_sec, milliseconds: Int(now.tv_nsec / 1_000_000)))
    }

    /// The JSON line (with its `\n`) for a message at the given time.
    func line(_ level: LogLevel, _ message: String, _ callFields: [String: LogValue], seconds: Int, milliseconds: Int) -> [UInt8] {
        var out = JSONLineWriter()
        out.raw("{\"time\":\"")
        Logger.appendRFC3339(seconds: seconds, milliseconds: milliseconds, to: &out)
        out.raw("\",\"level\":")
        out.string(level.rawValue)
        out.raw(",\"label\":")
        out.string(label)
        out.raw(",\"message\":")
        out.string(Logger.redactingQuery(message))
        let all = fields.isEmpty ? callFields : callFields.isEmpty ? fields : fields.merging(callFields) { _, new in new }
        for key in all.keys.sorted() {
            out.raw(",")
            out.string(Logger.reservedKeys.contains(key) ? "field.\(key)" : key)
            out.raw(":")
            out.value(Logger.redacted(key: key, value: all[key]!))
        }
        out.raw("}")
        out.newline()
        return out.bytes
    }

    private static let reservedKeys: Set<String> = ["time", "level", "label", "message"]

    /// RFC 3339 UTC with milliseconds (`2026-11-25T12:00:00.123Z`), without Foundation's
    /// formatters (slow, and not safe to share between threads).
    static func appendRFC3339(seconds: Int, milliseconds: Int, to out: inout JSONLineWriter) {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        out.digits(Int(parts.tm_year) + 1900, width: 4)
        out.raw("-")
        out.digits(Int(parts.tm_mon) + 1, width: 2)
        out.raw("-")
        out.digits(Int(parts.tm_mday), width: 2)
        out.raw("T")
        out.digits(Int(parts.tm_hour), width: 2)
        out.raw(":")
        out.digits(Int(parts.tm_min), width: 2)
        out.raw(":")
        out.digits(Int(parts.tm_sec), width: 2)
        out.raw(".")
        out.digits(milliseconds, width: 3)
        out.raw("Z")
    }
}
