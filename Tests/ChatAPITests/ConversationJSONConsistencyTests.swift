import Foundation
import Models
import Postgres
import Testing
import TestSupport

@testable import ChatAPI

/// The API builds conversations from columns; the gateway from `chat.conversation_json`. Both
/// must describe every conversation identically.
@Suite(.chatAPI())
struct ConversationJSONConsistencyTests {
    @Test("the API's conversation columns equal chat.conversation_json for direct and circle chats, with and without messages")
    func columnsMatchTheSchemaFunction() async throws {
        let api = try harness()
        let admin = try await api.user(.admin, name: "Zoë \"Admin\"")
        let user = try await api.user(name: "Al")
        let direct = try await api.directChat(admin, user)
        let empty = try await api.directChat(admin, try await api.user())
        let chat = try await api.circleChat(admin, members: [user], policy: .adminsOnly, title: "Town hall")
        let bare = try await api.circleChat(admin, members: [])
        try await api.sent(user, direct, "  first\n\n line\twith   spaces " + String(repeating: "x", count: 200))
        try await api.sent(admin, chat.conversation, "hello 👋")
        try expectStatus(try await api.service("PUT", "/v1/circles/\(chat.circle)", json: #"{"name":"Renamed","url":"/c/1"}"#), 200)

        let config = api.database.config
        let adminID = admin.id
        try await offloaded {
            let connection = try PostgresConnection.connect(config)
            defer { connection.close() }
            for id in [direct, empty, chat.conversation, bare.conversation] {
                let uuid = try #require(UUID(uuidString: id))
                let row = try #require(try connection.query(SQLQuery(unsafeSQL: ConversationRows.byID, binds: [adminID, true, uuid])).first)
                let fromColumns = try ConversationRows.snapshot(row)
                let json = try #require(try connection.query("SELECT chat.conversation_json(\(uuid))::text AS json").first?.decode("json", as: String.self))
                let fromFunction = try JSONDecoder().decode(ConversationSnapshot.self, from: Data(json.utf8))
                #expect(fromColumns == fromFunction, "\(id)")
            }
        }
    }
}
