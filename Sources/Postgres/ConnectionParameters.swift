import Foundation
import CLibPQ

/// The libpq keyword/value pairs for one connection, built from a `PostgresConfig`, plus what is
/// needed to describe the endpoint and to keep the password out of every message.
struct ConnectionParameters {
    /// Keyword/value pairs for `PQconnectdbParams` / `PQconnectStartParams` (expand_dbname 0).
    var keywords: [String]
    var values: [String]
    /// `user@host:port/dbname`.
    var endpoint: String
    /// Strings that must never appear in a message: the password, raw and as written in the URL.
    var secrets: [String]

    /// Parses a libpq URL or connection string.
    ///
    /// - Throws: `.configuration` with libpq's reason (password removed).
    static func parse(_ url: String) throws -> ConnectionParameters {
        var rawSecrets: [String] = []
        if let at = url.lastIndex(of: "@"), let scheme = url.range(of: "://"), scheme.upperBound < at {
            let userInfo = url[scheme.upperBound..<at]
            if let colon = userInfo.firstIndex(of: ":") {
                rawSecrets.append(String(userInfo[userInfo.index(after: colon)...]))
            }
        }
        guard !url.utf8.contains(0) else {
            throw PostgresError(.configuration, "the PostgreSQL URL contains a NUL byte")
        }
        var errorMessage: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(url, &errorMessage) else {
            let reason = errorMessage.map { String(cString: $0) } ?? "out of memory"
            errorMessage.map { PQfreemem($0) }
            throw PostgresError(
                .configuration, "invalid PostgreSQL URL: \(Redaction.clean(reason, removing: rawSecrets))")
        }
        defer { PQconninfoFree(options) }
        var keywords: [String] = []
        var values: [String] = []
        var option = options
        while let keyword = option.pointee.keyword {
            if let value = option.pointee.val {
                keywords.append(String(cString: keyword))
                values.append(String(cString: value))
            }
            option += 1
        }
        let settings = Dictionary(zip(keywords, values), uniquingKeysWith: { _, last in last })
        let secrets = (rawSecrets + [settings["password"]].compactMap { $0 }).filter { !$0.isEmpty }
        let host = settings["hostaddr"] ?? settings["host"] ?? "localhost"
        let port = settings["port"] ?? "5432"
        let user = settings["user"].map { "\($0)@" } ?? ""
        let dbname = settings["dbname"] ?? settings["user"] ?? ""
        return ConnectionParameters(
            keywords: keywords, values: values, endpoint: "\(user)\(host):\(port)/\(dbname)", secrets: secrets)
    }

    /// The parameters for `config`: its URL's settings, then ours, which win: `connect_timeout`,
    /// `application_name`, `client_encoding=UTF8`, and `options` extended with `TimeZone=UTC`
    /// and `DateStyle=ISO` so timestamps come back in the one format the decoder reads.
    static func forConnecting(_ config: PostgresConfig) throws -> ConnectionParameters {
        var parameters = try parse(config.url)
        let timeout = config.connectTimeout.components
        let seconds = max(2, timeout.seconds + (timeout.attoseconds > 0 ? 1 : 0))
        let existingOptions = parameters.take("options")
        let sessionOptions = "-c TimeZone=UTC -c DateStyle=ISO,YMD"
        parameters.set("options", existingOptions.map { "\($0) \(sessionOptions)" } ?? sessionOptions)
        parameters.set("connect_timeout", String(seconds))
        parameters.set("application_name", config.applicationName)
        parameters.set("client_encoding", "UTF8")
        return parameters
    }

    /// TCP keepalives for a connection that may sit idle for hours (the listener), so a server
    /// that vanished without closing the socket is noticed within about a minute. Settings in
    /// the URL win.
    mutating func addKeepalives() {
        let defaults = [
            ("keepalives", "1"), ("keepalives_idle", "15"), ("keepalives_interval", "5"),
            ("keepalives_count", "3"), ("tcp_user_timeout", "30000"),
        ]
        for (keyword, value) in defaults where !keywords.contains(keyword) {
            set(keyword, value)
        }
    }

    private mutating func take(_ keyword: String) -> String? {
        guard let index = keywords.firstIndex(of: keyword) else { return nil }
        keywords.remove(at: index)
        return values.remove(at: index)
    }

    private mutating func set(_ keyword: String, _ value: String) {
        _ = take(keyword)
        keywords.append(keyword)
        values.append(value)
    }

    /// Calls `body` with C arrays of keywords and values, each NULL-terminated, as libpq wants.
    func withCArrays<Result>(
        _ body: (UnsafePointer<UnsafePointer<CChar>?>, UnsafePointer<UnsafePointer<CChar>?>) -> Result
    ) -> Result {
        let cKeywords = keywords.map { strdup($0) }
        let cValues = values.map { strdup($0) }
        defer {
            cKeywords.forEach { free($0) }
            cValues.forEach { free($0) }
        }
        let keywordArray = cKeywords.map { UnsafePointer($0) } + [nil]
        let valueArray = cValues.map { UnsafePointer($0) } + [nil]
        return keywordArray.withUnsafeBufferPointer { keywordBuffer in
            valueArray.withUnsafeBufferPointer { valueBuffer in
                body(keywordBuffer.baseAddress!, valueBuffer.baseAddress!)
            }
        }
    }

    /// `message` with the password removed and whitespace folded to one line.
    func clean(_ message: String) -> String {
        Redaction.clean(message, removing: secrets)
    }
}
