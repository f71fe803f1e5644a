/// A parsed JSON document (RFC 8259), the input of `JSONValueDecoder`.
///
/// Numbers keep their text: whether `1e2` fits an `Int8` or `0.1` a `Float` is decided when a
/// type asks, so the error names the member that asked.
enum JSONValue: Sendable {
    case null
    case bool(Bool)
    case number(String)
    case string(String)
    case array([JSONValue])
    /// Members by name; a repeated name keeps its last value.
    case object([String: JSONValue])

    /// How JSON names this kind of value in messages ("found a string").
    var kindDescription: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}
