extension QueryParameters {
    /// The integer value of `name`, nil when absent. Anything but optional `-` and ASCII digits,
    /// a value outside `range`, or the name given twice is a 400 naming the parameter
    /// (docs/api.md: a `limit`, `before` or `after` that is not valid gets 400).
    public func int(_ name: String, in range: ClosedRange<Int> = Int.min...Int.max) throws(APIError) -> Int? {
        guard let raw = try single(name) else { return nil }
        let digits = raw.hasPrefix("-") ? raw.dropFirst() : raw[...]
        guard !digits.isEmpty, digits.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
              let value = Int(raw), range.contains(value)
        else {
            throw .badRequest("query parameter \(JSONString.quote(name)) must be an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    /// The boolean value of `name` (`true`/`false`, `1`/`0`, any case), nil when absent.
    public func bool(_ name: String) throws(APIError) -> Bool? {
        guard let raw = try single(name) else { return nil }
        switch raw.lowercased() {
        case "true", "1": return true
        case "false", "0": return false
        default: throw .badRequest("query parameter \(JSONString.quote(name)) must be true or false")
        }
    }

    /// The one value of `name`; given twice is ambiguous, so a 400.
    private func single(_ name: String) throws(APIError) -> String? {
        let all = values(name)
        guard all.count <= 1 else { throw .badRequest("query parameter \(JSONString.quote(name)) is given more than once") }
        return all.first
    }
}
