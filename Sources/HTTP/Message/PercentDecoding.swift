/// Percent-decoding of request targets (RFC 3986 §2.1) with the form rules of the query
/// (WHATWG URL, `application/x-www-form-urlencoded`: `+` is a space).
///
/// Every failure is the client's: a `%` not followed by two hex digits, bytes that are not
/// UTF-8 once decoded, or a NUL (which no text column or log line should ever carry) all become
/// a 400 naming the part at fault, never a crash and never a silently repaired string.
public enum PercentDecoding {
    /// Splits `a=1&b=x+y` into ordered pairs, decoding names and values. Empty pairs (`a=1&&b`)
    /// are skipped; a name without `=` has the empty value; repeated names are all kept.
    public static func decodeQuery(_ rawQuery: Substring) throws(APIError) -> QueryParameters {
        var pairs: [(name: String, value: String)] = []
        for pair in rawQuery.utf8.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let equals = pair.firstIndex(of: UInt8(ascii: "="))
            let rawName = Substring(equals.map { pair[pair.startIndex..<$0] } ?? pair)
            let rawValue = Substring(equals.map { pair[pair.index(after: $0)...] } ?? pair[pair.endIndex...])
            guard let name = decode(rawName, plusIsSpace: true) else {
                throw .badRequest("query parameter name \(JSONString.quote(String(rawName.prefix(64)))) is not valid percent-encoded UTF-8")
            }
            guard let value = decode(rawValue, plusIsSpace: true) else {
                throw .badRequest("query parameter \(JSONString.quote(String(name.prefix(64)))) is not valid percent-encoded UTF-8")
            }
            pairs.append((name, value))
        }
        return QueryParameters(pairs)
    }

    /// Decodes one path segment (`+` stays a plus: form rules apply to queries only).
    public static func decodePathSegment(_ segment: Substring) throws(APIError) -> String {
        guard let decoded = decode(segment, plusIsSpace: false) else {
            throw .badRequest("the path is not valid percent-encoded UTF-8")
        }
        return decoded
    }

    /// The decoded text, or nil for a bad escape, bad UTF-8 or a NUL.
    /// The common case (nothing to decode) copies the text once and allocates nothing else.
    static func decode(_ raw: Substring, plusIsSpace: Bool) -> String? {
        let utf8 = raw.utf8
        let needsDecoding = utf8.contains { $0 == UInt8(ascii: "%") || (plusIsSpace && $0 == UInt8(ascii: "+")) }
        guard needsDecoding else {
            return utf8.contains(0) ? nil : String(raw)
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count)
        var index = utf8.startIndex
        while index != utf8.endIndex {
            let byte = utf8[index]
            switch byte {
            case UInt8(ascii: "%"):
                let high = utf8.index(after: index)
                guard high != utf8.endIndex else { return nil }
                let low = utf8.index(after: high)
                guard low != utf8.endIndex, let h = ASCIIHex.value(utf8[high]), let l = ASCIIHex.value(utf8[low]) else { return nil }
                bytes.append(h << 4 | l)
                index = utf8.index(after: low)
            case UInt8(ascii: "+") where plusIsSpace:
                bytes.append(UInt8(ascii: " "))
                index = utf8.index(after: index)
            default:
                bytes.append(byte)
                index = utf8.index(after: index)
            }
        }
        guard !bytes.contains(0) else { return nil }
        return String(validating: bytes, as: UTF8.self)
    }
}
