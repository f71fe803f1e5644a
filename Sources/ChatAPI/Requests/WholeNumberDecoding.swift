extension KeyedDecodingContainer {
    /// An integer member. Foundation's decoder reports a number that is not a whole number in
    /// range (`1.5`, `1e30`) as corrupt data with no path, which would reach the client as
    /// "malformed JSON" (400); it is well-formed JSON with a wrong value, so this reports it as
    /// a type mismatch at the member (422 naming the field).
    func decodeWholeNumber<T: FixedWidthInteger & Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        do {
            return try decode(T.self, forKey: key)
        } catch DecodingError.dataCorrupted(let context) where context.codingPath.isEmpty {
            throw DecodingError.typeMismatch(T.self, .init(codingPath: codingPath + [key], debugDescription: "not a whole number in range"))
        }
    }

    /// As `decodeWholeNumber`, nil when the member is absent or null.
    func decodeWholeNumberIfPresent<T: FixedWidthInteger & Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard contains(key), try !decodeNil(forKey: key) else { return nil }
        return try decodeWholeNumber(T.self, forKey: key)
    }
}
