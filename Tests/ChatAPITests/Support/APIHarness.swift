import Foundation
import Models
import Synchronization
import Testing
import TestSupport

/// One `chat-api` process on its own fresh, migrated database, and the calls tests make to it.
///
/// Suites share one harness (`@Suite(.chatAPI())`): tests in a suite make their own users,
/// circles and conversations with unique ids (`unique`), so they can run side by side.
final class APIHarness: Sendable {
    static let serviceKey = "test-service-key-0123456789abcdef"

    /// The harness of the suite being run (set by `ChatAPITrait`).
    @TaskLocal static var current: APIHarness?

    let database: TestDatabase
    let service: ServiceProcess
    private let counter = Atomic<Int>(0)

    var port: Int { service.port }

    private init(database: TestDatabase, service: ServiceProcess) {
        self.database = database
        self.service = service
    }

    /// A fresh database and a `chat-api` on it. Tests send far more than a person would, so the
    /// per-user send limit is lifted unless `environment` sets it.
    static func start(environment: [String: String] = [:]) async throws -> APIHarness {
        let database = try await TestDatabase.createOffloaded(migrated: true)
        var settings = [
            "DATABASE_URL": database.url, "CHAT_SERVICE_KEY": serviceKey, "CHAT_ATTACHMENT_SECRET": "attachment-secret-for-tests-0123456789", "DB_POOL_SIZE": "6",
            "SEND_RATE_PER_SECOND": "0", "LOG_LEVEL": "warning",
        ]
        settings.merge(environment) { _, new in new }
        do {
            let service = try await ServiceProcess.start("chat-api", portVariable: "API_PORT", environment: settings)
            return APIHarness(database: database, service: service)
        } catch {
            await database.dropOffloaded()
            throw error
        }
    }

    func stop() async {
        await service.stop()
        await database.dropOffloaded()
    }

    /// A short id no other test of this run uses: `prefix-<n>-<random>`.
    func unique(_ prefix: String) -> String {
        "\(prefix)-\(counter.add(1, ordering: .relaxed).newValue)-\(String(UInt32.random(in: 0...UInt32.max), radix: 36))"
    }

    // MARK: - Requests

    /// One request on a new connection. `json` is sent as `application/json`; `body` as given.
    func call(_ method: String, _ path: String, token: String? = nil, json: String? = nil, body: [UInt8]? = nil,
              headers: [(String, String)] = []) async throws -> HTTPTestResponse {
        var all = headers
        if let token { all.append(("Authorization", "Bearer \(token)")) }
        var bytes: [UInt8] = body ?? []
        if let json {
            all.append(("Content-Type", "application/json"))
            bytes = Array(json.utf8)
        }
        return try await HTTPTestClient.request(port: port, method, path, headers: all, body: bytes, timeout: .seconds(15))
    }

    /// A request with the service key.
    func service(_ method: String, _ path: String, json: String? = nil) async throws -> HTTPTestResponse {
        try await call(method, path, token: Self.serviceKey, json: json)
    }

    // MARK: - Fixtures

    /// A synced user with a fresh session.
    func user(_ role: Role = .member, name: String? = nil, email: String? = nil) async throws -> TestUser {
        let id = unique(role == .admin ? "admin" : "user")
        let displayName = name ?? "Name \(id)"
        let response = try await service("PUT", "/v1/users/\(id)", json: """
            {"name": \(JSONText.quote(displayName)), "email": \(JSONText.quote(email ?? "\(id)@example.com")), "role": "\(role.rawValue)"}
            """)
        try expectStatus(response, 201)
        return TestUser(id: id, name: displayName, role: role, token: try await token(for: id))
    }

    /// A new session token for `userID`.
    func token(for userID: String, ttl: Int? = nil) async throws -> String {
        let ttlMember = ttl.map { ", \"ttl_seconds\": \($0)" } ?? ""
        let response = try await service("POST", "/v1/sessions", json: "{\"user_id\": \"\(userID)\"\(ttlMember)}")
        try expectStatus(response, 201)
        return try response.object()["token"] as? String ?? ""
    }

    /// A circle with these members.
    func circle(members: [TestUser], name: String? = nil) async throws -> String {
        let id = unique("circle")
        try expectStatus(try await service("PUT", "/v1/circles/\(id)", json: "{\"name\": \(JSONText.quote(name ?? "Circle \(id)"))}"), 201)
        let ids = members.map { "\"\($0.id)\"" }.joined(separator: ",")
        try expectStatus(try await service("PUT", "/v1/circles/\(id)/members", json: "{\"user_ids\": [\(ids)]}"), 200)
        return id
    }

    /// The direct chat of `admin` and `other`.
    func directChat(_ admin: TestUser, _ other: TestUser) async throws -> String {
        let response = try await call("POST", "/v1/conversations/direct", token: admin.token, json: "{\"user_id\": \"\(other.id)\"}")
        try expectStatus(response, [200, 201])
        return try response.object()["id"] as? String ?? ""
    }

    /// A circle, its members and its chat.
    func circleChat(_ admin: TestUser, members: [TestUser], policy: SendPolicy = .allMembers, title: String? = nil) async throws -> (circle: String, conversation: String) {
        let circle = try await circle(members: members)
        let titleMember = title.map { ", \"title\": \(JSONText.quote($0))" } ?? ""
        let response = try await call("POST", "/v1/conversations/circle", token: admin.token, json: """
            {"circle_id": "\(circle)", "send_policy": "\(policy.rawValue)"\(titleMember)}
            """)
        try expectStatus(response, 201)
        return (circle, try response.object()["id"] as? String ?? "")
    }

    /// Sends `body` as `user` (with `attachments`, upload ids, when not nil: `[]` is sent as `[]`).
    func send(_ user: TestUser, _ conversation: String, _ body: String, clientID: String? = nil,
              mentions: [String] = [], attachments: [String]? = nil) async throws -> HTTPTestResponse {
        let client = clientID.map { ", \"client_id\": \(JSONText.quote($0))" } ?? ""
        let mentioned = mentions.isEmpty ? "" : ", \"mentions\": [\(mentions.map(JSONText.quote).joined(separator: ","))]"
        let attached = attachments.map { ", \"attachments\": [\($0.map(JSONText.quote).joined(separator: ","))]" } ?? ""
        return try await call("POST", "/v1/conversations/\(conversation)/messages", token: user.token,
                              json: "{\"body\": \(JSONText.quote(body))\(client)\(mentioned)\(attached)}")
    }

    /// Sends and expects 201; returns the message.
    @discardableResult
    func sent(_ user: TestUser, _ conversation: String, _ body: String, clientID: String? = nil) async throws -> Message {
        let response = try await send(user, conversation, body, clientID: clientID)
        try expectStatus(response, 201)
        return try response.decode(Message.self)
    }
}

/// A user made by a test, with a session token.
struct TestUser: Sendable {
    var id: String
    var name: String
    var role: Role
    var token: String
}

/// Runs a suite with one `chat-api` process of its own (`APIHarness.current`), stopped after.
struct ChatAPITrait: SuiteTrait, TestScoping {
    var environment: [String: String]

    func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        let harness = try await APIHarness.start(environment: environment)
        do {
            try await APIHarness.$current.withValue(harness) { try await function() }
        } catch {
            await harness.stop()
            throw error
        }
        await harness.stop()
    }
}

extension Trait where Self == ChatAPITrait {
    /// A `chat-api` process for the suite; `environment` adds or overrides settings.
    static func chatAPI(_ environment: [String: String] = [:]) -> Self { ChatAPITrait(environment: environment) }
}

/// The suite's harness; fails the test when the suite has none.
func harness(sourceLocation: SourceLocation = #_sourceLocation) throws -> APIHarness {
    try #require(APIHarness.current, "the suite needs the .chatAPI() trait", sourceLocation: sourceLocation)
}
