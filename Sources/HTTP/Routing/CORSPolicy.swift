import Foundation

/// Which browser origins may call the service (the Fetch standard's CORS protocol), and the
/// headers that tell the browser so.
///
/// - A request whose `Origin` is allowed gets `Access-Control-Allow-Origin: <that origin>` and
///   `Access-Control-Expose-Headers: X-Request-Id, Retry-After`; no credentials mode is needed
///   (tokens travel in `Authorization` or `access_token`, never in cookies).
/// - While any origin is configured, every response carries `Vary: Origin`, so a cache never
///   serves one origin's answer to another.
/// - A preflight (`OPTIONS` with `Origin` and `Access-Control-Request-Method`) to a known path
///   from an allowed origin gets 204 with the path's methods, the request headers the API reads
///   and `Access-Control-Max-Age`. From any other origin it gets 403 `forbidden` with no CORS
///   headers: the browser would block the call anyway, and a 403 says why to whoever looks at
///   the network tab. Non-preflight requests from other origins are served without CORS
///   headers (the browser hides the answer; other clients do not care).
public struct CORSPolicy: Sendable {
    /// Allowed origins as configured, normalized (lowercased, no trailing `/`).
    public let allowedOrigins: [String]
    /// True when the list contains `*`: any origin is allowed (and echoed).
    public let allowsAnyOrigin: Bool

    /// The request headers a browser may send: the credential, JSON bodies, stream resumption
    /// and request correlation.
    public static let allowedHeaders = "Authorization, Content-Type, Last-Event-ID, X-Request-Id"
    public static let exposedHeaders = "X-Request-Id, Retry-After"
    /// Ten minutes: browsers cache the preflight, and a changed setting still spreads soon.
    public static let maxAgeSeconds = 600

    /// No origin allowed: browsers on other origins cannot call.
    public static let disabled = CORSPolicy(allowedOrigins: [])

    public init(allowedOrigins: [String]) {
        let normalized = allowedOrigins.map(CORSPolicy.normalize).filter { !$0.isEmpty }
        self.allowsAnyOrigin = normalized.contains("*")
        self.allowedOrigins = normalized
    }

    /// `CHAT_CORS_ORIGINS`: comma-separated origins (`https://backoffice.example.com,
    /// http://localhost:3000`) or `*`. Unset or empty allows none. An entry that is not
    /// `http(s)://host[:port]` throws, so a typo stops the process instead of silently
    /// locking the backoffice out.
    public static func fromEnvironment(
        _ environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(EnvironmentSettingError) -> CORSPolicy {
        let entries = (environment["CHAT_CORS_ORIGINS"] ?? "").split(separator: ",").map(String.init).map(normalize).filter { !$0.isEmpty }
        for entry in entries where entry != "*" && !isOrigin(entry) {
            throw EnvironmentSettingError(
                name: "CHAT_CORS_ORIGINS",
                expected: "comma-separated origins like https://app.example.com or http://localhost:3000, or *")
        }
        return CORSPolicy(allowedOrigins: entries)
    }

    public var isEnabled: Bool { !allowedOrigins.isEmpty }

    public func allows(origin: String) -> Bool {
        allowsAnyOrigin || allowedOrigins.contains { $0.caseInsensitiveEquals(origin) }
    }

    /// Adds the CORS headers of an actual (non-preflight) response.
    func apply(to headers: inout HTTPHeaders, origin: String?) {
        guard isEnabled else { return }
        if !headers.values("Vary").contains(where: { $0.caseInsensitiveEquals("Origin") }) {
            headers.add("Vary", "Origin")
        }
        guard let origin, allows(origin: origin) else { return }
        headers.set("Access-Control-Allow-Origin", origin)
        headers.set("Access-Control-Expose-Headers", CORSPolicy.exposedHeaders)
    }

    /// The answer to a preflight for a path that answers `allowMethods`. `apply` then adds
    /// the origin itself.
    func preflight(origin: String, allowMethods: String) -> HTTPResponse {
        guard allows(origin: origin) else {
            return APIError.forbidden("origin \(JSONString.quote(String(origin.prefix(200)))) is not allowed").response()
        }
        var headers = HTTPHeaders()
        headers.set("Access-Control-Allow-Methods", allowMethods)
        headers.set("Access-Control-Allow-Headers", CORSPolicy.allowedHeaders)
        headers.set("Access-Control-Max-Age", String(CORSPolicy.maxAgeSeconds))
        return .noContent(headers: headers)
    }

    private static func normalize(_ entry: String) -> String {
        var trimmed = entry.trimmingCharacters(in: .whitespaces).lowercased()
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        return trimmed
    }

    /// `http://` or `https://`, then a host of letters, digits, `.`, `-` (or a bracketed IPv6
    /// literal) and an optional `:port`; no path, query or user info.
    private static func isOrigin(_ entry: String) -> Bool {
        let rest: Substring
        if entry.hasPrefix("https://") { rest = entry.dropFirst(8) } else if entry.hasPrefix("http://") { rest = entry.dropFirst(7) } else { return false }
        var host = rest
        if let colon = rest.lastIndex(of: ":"), !rest.hasSuffix("]") {
            let port = rest[rest.index(after: colon)...]
            guard let number = Int(port), (1...65535).contains(number), port.allSatisfy(\.isASCII) else { return false }
            host = rest[..<colon]
        }
        if host.hasPrefix("[") { return host.hasSuffix("]") && host.count > 2 && host.dropFirst().dropLast().allSatisfy { $0.isHexDigit || $0 == ":" } }
        return !host.isEmpty && host.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-") }
    }
}
