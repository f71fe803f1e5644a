extension Logger {
    /// `target` with the value of every `access_token` query parameter replaced by
    /// `[redacted]` (docs/api.md: no log line ever contains a token). Parameter names are compared
    /// after decoding, so `access%5Ftoken` is caught too. Text without a `?` is read as a bare
    /// query (`a=1&access_token=x`), so a logged query string is covered as well.
    public static func redactingQuery(_ target: String) -> String {
        let question = target.utf8.firstIndex(of: UInt8(ascii: "?"))
        let query = question.map { target[target.index(after: $0)...] } ?? target[...]
        guard mayNameToken(query) else { return target }
        var out = question.map { String(target[...$0]) } ?? ""
        var first = true
        for pair in query.split(separator: "&", omittingEmptySubsequences: false) {
            if !first { out += "&" }
            first = false
            let equals = pair.firstIndex(of: "=")
            let rawName = equals.map { pair[..<$0] } ?? pair
            let name = PercentDecoding.decode(rawName, plusIsSpace: true)
            if name?.lowercased() == "access_token" {
                out += rawName
                out += "=[redacted]"
            } else {
                out += pair
            }
        }
        return out
    }

    /// A cheap pre-check, allocation-free: a query can only name `access_token` if it
    /// contains `token` (any case) or a percent escape.
    private static func mayNameToken(_ query: Substring) -> Bool {
        var matched = 0
        for byte in query.utf8 {
            if byte == UInt8(ascii: "%") { return true }
            let lower = byte | 0x20
            if lower == tokenBytes[matched] {
                matched += 1
                if matched == tokenBytes.count { return true }
            } else {
                matched = lower == tokenBytes[0] ? 1 : 0
            }
        }
        return false
    }

    private static let tokenBytes: [UInt8] = Array("token".utf8)
    private static let credentialKeys = ["authorization", "access_token", "token", "cookie", "password"]

    /// The value to write for field `key`: credentials never, query strings with their
    /// `access_token` removed.
    static func redacted(key: String, value: LogValue) -> LogValue {
        if credentialKeys.contains(where: { key.caseInsensitiveEquals($0) }) { return .string("[redacted]") }
        if case .string(let text) = value { return .string(redactingQuery(text)) }
        return value
    }
}
