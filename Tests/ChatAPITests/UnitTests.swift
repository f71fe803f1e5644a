import ChatStore
import Foundation
import HTTP
import Models
import Testing

@testable import ChatAPI

/// The pieces of the API that need no database or process.
@Suite
struct UnitTests {
    @Test("the cursor round-trips, is 32 characters of base64url, and anything else is 400")
    func cursor() throws {
        for micros: Int64 in [1_764_072_000_123_456, -1, 0] {
            let cursor = ConversationCursor(activityMicroseconds: micros, id: UUID())
            #expect(try ConversationCursor(encoded: cursor.encoded) == cursor)
            #expect(cursor.encoded.utf8.count == 32)
            #expect(cursor.encoded.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
        }
        for bad in ["", "abc", "bm90IGEgY3Vyc29y", "YzE6eDp5", "a+b/c", String(repeating: "A", count: 31),
                    String(repeating: "A", count: 33), String(repeating: "A", count: 31) + "="] {
            #expect(throws: APIError.self) { try ConversationCursor(encoded: bad) }
        }
    }

    @Test("any 32 characters of base64url are a position (openapi.json's pattern), clamped to years 1-9999")
    func cursorFromAnyText() throws {
        #expect(try ConversationCursor(encoded: "f" + String(repeating: "_", count: 31)).activityMicroseconds == ConversationCursor.activityRange.upperBound)
        #expect(try ConversationCursor(encoded: "gAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA").activityMicroseconds == ConversationCursor.activityRange.lowerBound)
        #expect(try ConversationCursor(encoded: String(repeating: "_", count: 32)).activityMicroseconds == -1)
    }

    @Test("the send limiter allows a burst, then refills at the rate, per user; rate 0 means no limit")
    func rateLimiter() throws {
        let limiter = SendRateLimiter(ratePerSecond: 2, burst: 3)
        let start = ContinuousClock.now
        for _ in 0..<3 { try limiter.take(for: "a", now: start) }
        #expect(throws: APIError.self) { try limiter.take(for: "a", now: start) }
        do {
            try limiter.take(for: "a", now: start)
        } catch {
            #expect(error.status == 429)
            #expect(error.headers["Retry-After"] == "1")
        }
        try limiter.take(for: "b", now: start)
        try limiter.take(for: "a", now: start + .milliseconds(500))
        #expect(throws: APIError.self) { try limiter.take(for: "a", now: start + .milliseconds(600)) }
        let unlimited = SendRateLimiter(ratePerSecond: 0, burst: 1)
        for _ in 0..<100 { try unlimited.take(for: "a", now: start) }
    }

    @Test("the service key matches only itself")
    func serviceKey() {
        let key = ServiceKey("0123456789abcdef")
        #expect(key.matches("0123456789abcdef"))
        for other in ["", "0123456789abcdeF", "0123456789abcde", "0123456789abcdef0", "x123456789abcdef"] {
            #expect(!key.matches(other))
        }
    }

    @Test("a cached session expires after the cache time and never outlives the session; removal is immediate")
    func sessionCache() {
        let user = User(id: "u", name: "U", email: "u@example.com", avatarURL: nil, role: .member, active: true)
        let cache = SessionCache(ttl: .seconds(2))
        let start = ContinuousClock.now
        cache.store(AuthenticatedSession(sessionID: 1, user: user, expiresAt: Date().addingTimeInterval(3600)), for: "t1", now: start)
        cache.store(AuthenticatedSession(sessionID: 2, user: user, expiresAt: Date().addingTimeInterval(-1)), for: "t2", now: start)
        cache.store(AuthenticatedSession(sessionID: 3, user: user, expiresAt: Date().addingTimeInterval(3600)), for: "t3", now: start)
        #expect(cache.session(for: "t1", now: start + .milliseconds(1999))?.sessionID == 1)
        #expect(cache.session(for: "t2", now: start) == nil)
        cache.remove("t3")
        #expect(cache.session(for: "t3", now: start) == nil)
        #expect(cache.session(for: "t1", now: start + .seconds(2)) == nil)
        #expect(cache.session(for: "unknown", now: start) == nil)
    }

    @Test("field rules: names, emails, links, titles, client ids")
    func fieldRules() throws {
        #expect(try FieldRules.name(String(repeating: "ß", count: 200), field: "name").count == 200)
        #expect(throws: APIError.self) { try FieldRules.name(String(repeating: "ß", count: 201), field: "name") }
        #expect(throws: APIError.self) { try FieldRules.name("\u{2003}", field: "name") }
        #expect(throws: APIError.self) { try FieldRules.name("tab\there", field: "name") }
        #expect(try FieldRules.url("/avatars/1.png", field: "u") == "/avatars/1.png")
        #expect(try FieldRules.url("HTTPS://EXAMPLE.COM/x", field: "u") != nil)
        for bad in ["//evil.example.com/x", "javascript:alert(1)", "data:text/html,x", "https://a b", ""] {
            #expect(throws: APIError.self) { try FieldRules.url(bad, field: "u") }
        }
        #expect(try FieldRules.optionalTitle(" \n ") == nil)
        #expect(try FieldRules.optionalTitle(nil) == nil)
        #expect(try FieldRules.optionalTitle("  News  ") == "News")
        #expect(try FieldRules.clientID(nil) == nil)
        #expect(throws: APIError.self) { try FieldRules.clientID("ü") }
        #expect(SearchStore.likeEscaped("50%_a\\b") == "50\\%\\_a\\\\b")
    }

    @Test("settings: defaults, and one clear error naming a bad one")
    func configuration() throws {
        let base = ["DATABASE_URL": "postgres://x@127.0.0.1/db", "CHAT_SERVICE_KEY": "0123456789abcdef",
                    "CHAT_ATTACHMENT_SECRET": "attachment-secret-for-tests-0123456789"]
        let defaults = try ChatAPIConfiguration(environment: base)
        #expect(defaults.port == 8080)
        #expect(defaults.host == "127.0.0.1")
        #expect(defaults.poolSize == 10)
        #expect(defaults.groupCommitMaxBatch == 256)
        #expect(defaults.groupCommitWindow == .milliseconds(1))
        #expect(defaults.sendRatePerSecond == 10)
        #expect(defaults.sendBurst == 30)
        #expect(defaults.uploadMaxBytes == 10 << 20)
        #expect(defaults.uploadConcurrency == 32)
        do {
            _ = try ChatAPIConfiguration(environment: base.merging(["API_PORT": "eighty"]) { $1 })
            Issue.record("accepted API_PORT=eighty")
        } catch {
            #expect(error.name == "API_PORT")
            #expect(error.description.hasPrefix("invalid setting API_PORT: expected a whole number from 0 to 65535"))
        }
    }

    @Test("DATABASE_READ_URL: unset means no standby reads; a value that is no PostgreSQL URL is refused by name")
    func readURL() throws {
        let base = ["DATABASE_URL": "postgres://x@127.0.0.1/db", "CHAT_SERVICE_KEY": "0123456789abcdef",
                    "CHAT_ATTACHMENT_SECRET": "attachment-secret-for-tests-0123456789"]
        #expect(try ChatAPIConfiguration(environment: base).readDatabase == nil)
        #expect(try ChatAPIConfiguration(environment: base.merging(["DATABASE_READ_URL": "  "]) { $1 }).readDatabase == nil)
        let url = "postgres://x@127.0.0.1:5433,127.0.0.1:5434/db?target_session_attrs=prefer-standby"
        #expect(try ChatAPIConfiguration(environment: base.merging(["DATABASE_READ_URL": url]) { $1 }).readDatabase?.url == url)
        #expect(throws: EnvironmentSettingError.self) {
            _ = try ChatAPIConfiguration(environment: base.merging(["DATABASE_READ_URL": "standby-host"]) { $1 })
        }
        #expect(ReadRouting.parseLSN("16/B374D848") == 0x16_B374_D848)
        #expect(ReadRouting.parseLSN("0/0") == 0)
        #expect(ReadRouting.parseLSN("garbage") == nil)
    }
}
