import Foundation

/// An HTTP method token (RFC 9110 §9). A struct, not an enum, so an unknown method still parses
/// and the router can answer 405 or 501 instead of the parser failing.
public struct HTTPMethod: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    public static let GET = HTTPMethod("GET")
    public static let HEAD = HTTPMethod("HEAD")
    public static let POST = HTTPMethod("POST")
    public static let PUT = HTTPMethod("PUT")
    public static let PATCH = HTTPMethod("PATCH")
    public static let DELETE = HTTPMethod("DELETE")
    public static let OPTIONS = HTTPMethod("OPTIONS")
}

public enum HTTPVersion: Sendable, Equatable {
    case http10
    case http11
}

/// Decoded query parameters (`application/x-www-form-urlencoded` rules: `+` is a space).
/// The parser has already rejected bad percent escapes and bad UTF-8 with 400.
public struct QueryParameters: Sendable {
    public private(set) var pairs: [(name: String, value: String)]
    public init(_ pairs: [(name: String, value: String)] = []) { self.pairs = pairs }
    /// The first value of `name`.
    public subscript(name: String) -> String? { pairs.first { $0.name == name }?.value }
    public func values(_ name: String) -> [String] { pairs.filter { $0.name == name }.map(\.value) }
}

/// One parsed request, as handlers see it.
public struct HTTPRequest: Sendable {
    public var method: HTTPMethod
    /// The request-target as received (origin-form: path and query).
    public var target: String
    /// The path part of the target, still percent-encoded (routing compares encoded segments;
    /// path parameters are decoded when extracted).
    public var path: String
    public var query: QueryParameters
    public var version: HTTPVersion
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// On a route that streams its body (`Router.add(..., streamedBody: true)`): the body,
    /// arriving in pieces (`body` stays empty). Nil on every other route.
    public var bodyStream: RequestBodyStream?
    /// Values of the `{name}` segments of the matched route template, percent-decoded.
    public var pathParameters: [String: String]
    /// `X-Request-Id` as received (if sane) or generated; echoed on the response and logged.
    public var requestID: String
    /// The matched route template (`/v1/conversations/{id}`), for logs and metrics.
    public var route: String?
    public var remoteAddress: String

    public init(
        method: HTTPMethod, target: String, path: String, query: QueryParameters = .init(),
        version: HTTPVersion = .http11, headers: HTTPHeaders = .init(), body: [UInt8] = [],
        pathParameters: [String: String] = [:], requestID: String = "", route: String? = nil,
        remoteAddress: String = ""
    ) {
        self.method = method
        self.target = target
        self.path = path
        self.query = query
        self.version = version
        self.headers = headers
        self.body = body
        self.pathParameters = pathParameters
        self.requestID = requestID
        self.route = route
        self.remoteAddress = remoteAddress
    }

    /// The credential of `Authorization: Bearer <token>` (RFC 6750 §2.1), or nil.
    public var bearerToken: String? {
        guard let value = headers["Authorization"] else { return nil }
        let parts = value.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }
}
