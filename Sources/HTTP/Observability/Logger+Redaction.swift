extension Logger {
    /// `target` with the value of every `access_token` query parameter replaced by
    /// `[redacted]` (API.md: no log line ever contains a token). Parameter names are compared
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

    /// A cheap pre-check: a query can only name `access_token` if it contains `token`
    /// (any case) or a percent escape.
    private static func mayNameToken(_ query: Substring) -> Bool {
        let token = Array("token".utf8)
        let bytes = Array(query.utf8)
        if bytes.contains(UInt8(ascii: "%")) { return true }
        guard bytes.count >= token.count else { return false }
        for start in 0...(bytes.count - token.count) {
            var matched = true
            for offset in 0..<token.count where bytes[start + offset] | 0x20 != token[offset] {
                matched = false
                break
            }
            if matched { return true }
        }
        return false
    }

    private static let credentialKeys: Set<String> = ["authorization", "access_token", "token", "cookie", "password"]

    /// The value to write for field `key`: credentials never, query strings with their
    /// `access_token` removed.
    static func redacted(key: String, value: LogValue) -> LogValue {
        if credentialKeys.contains(key.lowercased()) { return .string("[redacted]") }
        if case .string(let text) = value { return .string(redactingQuery(text)) }
        return value
    }
}
