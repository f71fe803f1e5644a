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
    /// Members in document order. Bodies have a handful of members, so a list searched from
    /// the end (a repeated name keeps its last value) beats building a dictionary.
    case object([(name: String, value: JSONValue)])

    /// The last member called `name` of an object.
    func member(_ name: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.last { $0.name == name }?.value
    }

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
