/// A structured field value of a log line. Literals work directly:
/// `logger.info("request", ["status": 200, "route": .string(route)])`.
public enum LogValue: Sendable, Equatable {
    case string(String)
    case int(Int)
    case double(Double)
    case bool(Bool)

    /// The value as a JSON token. Non-finite doubles (not JSON) become strings.
    func appendJSON(to out: inout String) {
        switch self {
        case .string(let s): out += JSONString.quote(s)
        case .int(let i): out += String(i)
        case .double(let d): out += d.isFinite ? String(d) : JSONString.quote(String(d))
        case .bool(let b): out += b ? "true" : "false"
        }
    }
}

extension LogValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}

extension LogValue: ExpressibleByStringInterpolation {}
