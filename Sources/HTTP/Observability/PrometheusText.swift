/// Prometheus text exposition format 0.0.4: names, escaping and the lines of each family.
enum PrometheusText {
    static func isValidMetricName(_ name: String) -> Bool {
        isValid(name, allowColon: true)
    }

    static func isValidLabelName(_ name: String) -> Bool {
        isValid(name, allowColon: false) && !name.hasPrefix("__")
    }

    /// `[a-zA-Z_:][a-zA-Z0-9_:]*` (without `:` for label names).
    private static func isValid(_ name: String, allowColon: Bool) -> Bool {
        guard let first = name.utf8.first, !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else { return false }
        return name.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"):
                true
            case UInt8(ascii: ":"): allowColon
            default: false
            }
        }
    }

    /// `a="1",b="x\"y"`: names sorted, values escaped (`\\`, `\"`, `\n`).
    static func labelSet(_ labels: [String: String]) -> String {
        labels.keys.sorted().map { "\($0)=\"\(escapeLabelValue(labels[$0]!))\"" }.joined(separator: ",")
    }

    static func escapeLabelValue(_ value: String) -> String { escape(value, quotes: true) }

    /// HELP text escapes only `\\` and `\n`.
    static func escapeHelp(_ help: String) -> String { escape(help, quotes: false) }

    private static func escape(_ text: String, quotes: Bool) -> String {
        let needsEscaping = text.utf8.contains {
            $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\n") || (quotes && $0 == UInt8(ascii: "\""))
        }
        guard needsEscaping else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\"" where quotes: out += "\\\""
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Go-compatible number text: integral values without a fraction, `+Inf`, `-Inf`, `NaN`.
    static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }

    static func append(_ family: MetricsRegistry.Family, to out: inout String) {
        out += "# HELP \(family.name) \(escapeHelp(family.help))\n"
        out += "# TYPE \(family.name) \(family.kind.rawValue)\n"
        for labels in family.series.keys.sorted() {
            switch family.series[labels]! {
            case .counter(let counter):
                out += sample(family.name, labels, String(counter.value))
            case .gauge(let gauge):
                out += sample(family.name, labels, format(gauge.value))
            case .histogram(let histogram):
                let (cumulative, sum, count) = histogram.snapshot()
                let bounds = histogram.buckets.map(format) + ["+Inf"]
                for (bound, total) in zip(bounds, cumulative) {
                    let withBound = labels.isEmpty ? "le=\"\(bound)\"" : "\(labels),le=\"\(bound)\""
                    out += sample(family.name + "_bucket", withBound, String(total))
                }
                out += sample(family.name + "_sum", labels, format(sum))
                out += sample(family.name + "_count", labels, String(count))
            }
        }
    }

    private static func sample(_ name: String, _ labels: String, _ value: String) -> String {
        labels.isEmpty ? "\(name) \(value)\n" : "\(name){\(labels)} \(value)\n"
    }
}
