/// A YAML document as the subset reader sees it: scalars stay text (`"8080"` and `8080` are
/// both the string "8080"), mappings keep their keys' order.
enum YAMLValue: Equatable, CustomStringConvertible {
    case scalar(String)
    case sequence([YAMLValue])
    case mapping([(key: String, value: YAMLValue)])

    /// The value under a key of a mapping; nil for a missing key or a non-mapping.
    subscript(key: String) -> YAMLValue? {
        guard case .mapping(let pairs) = self else { return nil }
        return pairs.first { $0.key == key }?.value
    }

    /// A mapping's keys in document order; empty for anything else.
    var keys: [String] {
        guard case .mapping(let pairs) = self else { return [] }
        return pairs.map(\.key)
    }

    /// A scalar's text; nil for collections.
    var string: String? {
        guard case .scalar(let text) = self else { return nil }
        return text
    }

    /// A sequence's items; nil for anything else.
    var items: [YAMLValue]? {
        guard case .sequence(let items) = self else { return nil }
        return items
    }

    /// A sequence's scalar items (collections among them left out); nil for anything else.
    var strings: [String]? {
        items?.compactMap(\.string)
    }

    static func == (lhs: YAMLValue, rhs: YAMLValue) -> Bool {
        switch (lhs, rhs) {
        case (.scalar(let a), .scalar(let b)): return a == b
        case (.sequence(let a), .sequence(let b)): return a == b
        case (.mapping(let a), .mapping(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: return false
        }
    }

    var description: String {
        switch self {
        case .scalar(let text): return "\"\(text)\""
        case .sequence(let items): return "[" + items.map(\.description).joined(separator: ", ") + "]"
        case .mapping(let pairs):
            return "{" + pairs.map { "\($0.key): \($0.value)" }.joined(separator: ", ") + "}"
        }
    }
}
