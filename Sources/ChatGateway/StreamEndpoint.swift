import ChatStore
import Foundation
import HTTP
import Models

/// `GET /v1/stream` (docs/stream.md). Everything that can refuse a stream is decided
/// before the `200` starts it, so the client gets a clean status: 401 for a bad credential,
/// 400 for a malformed parameter, 404 for a conversation the user may not see, 429 past the
/// per-user stream cap, 503 while the database cannot be read.
struct StreamEndpoint: Sendable {
    let hub: FanOutHub
    let log: EventLog
    let sessions: SessionCache
    let starter: StreamStarter
    let configuration: GatewayConfiguration
    let metrics: GatewayMetrics
    let logger: Logger

    func handle(_ request: HTTPRequest) async throws -> HTTPResponse {
        let query = try StreamQuery(request)
        let lookup = { [log] in try await log.session(for: query.token) }
        guard let identity = try await database({ try await sessions.session(for: query.token, lookup: lookup) }) else {
            throw APIError.unauthorized("the session token is unknown, expired or revoked")
        }
        guard await hub.isTailing else { throw APIError.unavailable() }
        guard await hub.streamCount(of: identity.user.id) < configuration.maxStreamsPerUser else {
            metrics.rejectedStreams.increment()
            throw APIError(status: 429, code: "rate_limited",
                           message: "too many open streams for this user (at most \(configuration.maxStreamsPerUser)); close one",
                           headers: ["Retry-After": "10"])
        }
        if let conversation = query.conversation {
            guard try await database({ try await log.canSee(identity.viewer, conversation: conversation) }) else {
                throw APIError.notFound("conversation not found")
            }
        }
        let plan = try await resumePlan(query.lastEventID)
        let retry = SSEFrame.retry(milliseconds: configuration.retryMilliseconds)
        return .eventStream { [starter] stream in
            stream.send(retry)
            Task { await starter.start(stream, identity: identity, query: query, plan: plan) }
        }
    }

    private func resumePlan(_ lastEventID: Int64?) async throws -> ResumePlan {
        guard let lastEventID else { return .live }
        let point = try await database { try await log.resumePoint(after: lastEventID, retention: configuration.eventRetention) }
        return ResumePlan.decide(lastEventID: lastEventID, point: point)
    }

    /// Runs a database read; a failure becomes 503 `unavailable` (and a log line), never a 500.
    private func database<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch {
            logger.warning("database read failed", ["error": .string(String(describing: error))])
            throw APIError.unavailable()
        }
    }
}
