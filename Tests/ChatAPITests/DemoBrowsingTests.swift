import ChatStore
import Foundation
import Models
import Postgres
import Testing
import TestSupport

/// The demo data (`chatctl seed-demo`) browsed through the API the way the Chats page does.
@Suite(.chatAPI())
struct DemoBrowsingTests {
    @Test("an admin sees the 1:1 and circle chat lists, opens chats, pages history; a member sees the admins-only notice")
    func browseTheDemo() async throws {
        let api = try harness()
        let config = api.database.config
        try await offloaded {
            let connection = try PostgresConnection.connect(config)
            defer { connection.close() }
            _ = try DemoSeed().load(on: connection)
        }
        let grace = try await api.token(for: "admin-grace")
        let amara = try await api.token(for: "user-amara")

        // 1:1 Chats: the other user's name and avatar, a preview, a timestamp, unread badges.
        let direct = try await api.call("GET", "/v1/conversations?kind=direct", token: grace).items()
        #expect(direct.count == 5)
        for item in direct {
            #expect(item["kind"] as? String == "direct")
            #expect((item["peer"] as? [String: Any])?["id"] as? String != "admin-grace")
            #expect(item["last_message"] is [String: Any])
            #expect(item["unread_count"] is Int)
        }
        let activity = direct.compactMap { $0["last_activity_at"] as? String }
        #expect(activity == activity.sorted(by: >))

        // Circle Chats: circle names, custom titles, member counts, admin-only badge.
        let circles = try await api.call("GET", "/v1/conversations?kind=circle", token: grace).items()
        #expect(Set(circles.compactMap { $0["title"] as? String }) == ["Announcements", "Warehouse North", "Night Shift Handover"])
        let announcements = try #require(circles.first { $0["title"] as? String == "Announcements" })
        #expect(announcements["send_policy"] as? String == "admins_only")
        #expect((announcements["circle"] as? [String: Any])?["name"] as? String == "All Staff")
        #expect(announcements["member_count"] as? Int == 36)

        // The message view: header, members, history by pages.
        let conversation = try #require(direct.first?["id"] as? String)
        try expectStatus(try await api.call("GET", "/v1/conversations/\(conversation)", token: grace), 200)
        #expect(try await api.call("GET", "/v1/conversations/\(conversation)/members", token: grace).items().count == 2)
        let newest = try await api.call("GET", "/v1/conversations/\(conversation)/messages?limit=5", token: grace).decode(Page.self)
        #expect(newest.items.count == 5)
        #expect(newest.hasMore)
        let older = try await api.call("GET", "/v1/conversations/\(conversation)/messages?limit=100&before=\(newest.items[0].seq)", token: grace).decode(Page.self)
        #expect((older.items + newest.items).map(\.seq) == Array(1...newest.items.last!.seq))

        // Start-chat and create-circle-chat dialogs.
        let found = try await api.call("GET", "/v1/users?q=amar", token: grace).items()
        #expect(found.first?["id"] as? String == "user-amara")
        let withoutChat = try await api.call("GET", "/v1/circles?without_chat=true", token: grace).items()
        #expect(withoutChat.compactMap { $0["id"] as? String } == ["circle-field-sales"])

        // A member: their circles' chats only, and no sending in Announcements.
        let memberCircles = try await api.call("GET", "/v1/conversations?kind=circle", token: amara).items()
        let memberAnnouncements = try #require(memberCircles.first { $0["title"] as? String == "Announcements" })
        #expect(memberAnnouncements["can_send"] as? Bool == false)
        expectError(try await api.send(TestUser(id: "user-amara", name: "", role: .member, token: amara),
                                       memberAnnouncements["id"] as? String ?? "", "may I?"), 403, "send_forbidden")
        let unread = try await api.call("GET", "/v1/unread", token: amara).object()
        #expect((unread["total"] as? Int ?? -1) >= 0)
        // The deactivated demo member cannot sign in.
        expectError(try await api.service("POST", "/v1/sessions", json: #"{"user_id":"user-viktor"}"#), 422, "invalid", field: "user_id")
    }
}
