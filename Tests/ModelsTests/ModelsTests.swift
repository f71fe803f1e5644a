import Foundation
import Testing
@testable import Models

@Suite struct ExternalIDRules {
    @Test(arguments: ["u1", "a", String(repeating: "x", count: 64), "user.name_1:team@host-2"])
    func acceptsPlatformIDs(_ id: String) { #expect(ExternalID.isValid(id)) }

    @Test(arguments: ["", String(repeating: "x", count: 65), "has space", "semi;colon", "quote'", "é", "a/b", "tab\t"])
    func rejectsEverythingElse(_ id: String) { #expect(!ExternalID.isValid(id)) }
}

@Suite struct TimestampFormat {
    @Test func formatsUTCWithMilliseconds() {
        #expect(Timestamp.format(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000Z")
        #expect(Timestamp.format(Date(timeIntervalSince1970: 1_795_608_000.123_9)) == "2026-11-25T12:00:00.123Z")
        #expect(Timestamp.format(Date(timeIntervalSince1970: 951_782_400)) == "2000-02-29T00:00:00.000Z")
        #expect(Timestamp.format(Date(timeIntervalSince1970: -1.5)) == "1969-12-31T23:59:58.500Z")
    }

    @Test func parsesWhatItFormatsAndOffsets() throws {
        let date = Date(timeIntervalSince1970: 1_795_608_000.123)
        let parsed = try #require(Timestamp.parse(Timestamp.format(date)))
        #expect(abs(parsed.timeIntervalSince1970 - date.timeIntervalSince1970) < 0.0005)
        let offset = try #require(Timestamp.parse("2026-11-25T10:00:00+02:00"))
        #expect(Timestamp.format(offset) == "2026-11-25T08:00:00.000Z")
    }

    @Test(arguments: ["", "2026-11-25", "2026-13-01T00:00:00Z", "2026-11-25T00:00:00", "2026-11-25T00:00:00.Z", "2026-11-25T00:00:00Zjunk"])
    func rejectsMalformed(_ text: String) { #expect(Timestamp.parse(text) == nil) }
}

@Suite struct MessageBodyRules {
    @Test func acceptsFourThousandScalarsIncludingEmoji() {
        #expect(MessageBody.problem(with: String(repeating: "😀", count: 4000)) == nil)
        #expect(MessageBody.problem(with: "hello\tthere\nfriend") == nil)
        #expect(MessageBody.problem(with: "'); DROP TABLE chat.messages; --") == nil)
    }

    @Test func rejectsOneScalarTooMany() {
        #expect(MessageBody.problem(with: String(repeating: "😀", count: 4001)) == .tooLong(scalars: 4001))
        #expect(MessageBody.problem(with: String(repeating: "a", count: 4001)) == .tooLong(scalars: 4001))
    }

    @Test func rejectsEmptyAndWhiteSpace() {
        #expect(MessageBody.problem(with: "") == .empty)
        #expect(MessageBody.problem(with: " \n\t \u{00A0}\u{3000}") == .onlyWhiteSpace)
    }

    @Test(arguments: [0x00, 0x01, 0x0D, 0x1B, 0x7F, 0x85, 0x9F] as [UInt32])
    func rejectsControlCharacters(_ value: UInt32) {
        let body = "a" + String(Unicode.Scalar(value)!) + "b"
        #expect(MessageBody.problem(with: body) == .controlCharacter(value))
    }

    @Test func namesTheControlCharacterInTheMessage() {
        #expect(MessageBody.Problem.controlCharacter(0).description.contains("U+0000"))
    }
}

@Suite struct JSONForms {
    func json<T: Encodable>(_ value: T) throws -> [String: Any] {
        let data = try JSONEncoder().encode(value)
        return try #require(JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test func userEncodesNullAvatar() throws {
        let object = try json(User(id: "u1", name: "Ada", email: "ada@example.com", avatarURL: nil, role: .admin, active: true))
        #expect(Set(object.keys) == ["id", "name", "email", "avatar_url", "role", "active"])
        #expect(object["avatar_url"] is NSNull)
        #expect(object["role"] as? String == "admin")
    }

    @Test func circleEncodesNullConversation() throws {
        let object = try json(Circle(id: "c1", name: "Ops", url: nil, memberCount: 3, conversationID: nil))
        #expect(Set(object.keys) == ["id", "name", "url", "member_count", "conversation_id"])
        #expect(object["conversation_id"] is NSNull)
    }

    @Test func messageHasTheContractFields() throws {
        let message = Message(id: 42, conversationID: "c", seq: 7, sender: Sender(id: "u1", name: "Ada", avatarURL: nil),
                              body: "hi", clientID: nil, createdAt: "2026-11-25T12:00:00.123Z")
        let object = try json(message)
        #expect(Set(object.keys) == ["id", "conversation_id", "seq", "kind", "sender", "body", "client_id", "created_at",
                                     "edited_at", "deleted", "reply_to", "reactions", "system", "mentions", "attachments"])
        #expect(object["client_id"] is NSNull)
        #expect(object["edited_at"] is NSNull && object["reply_to"] is NSNull && object["system"] is NSNull)
        #expect(object["kind"] as? String == "user" && object["deleted"] as? Bool == false)
        #expect((object["reactions"] as? [Any])?.isEmpty == true && (object["attachments"] as? [Any])?.isEmpty == true)
        #expect(object["id"] as? Int == 42)
    }

    static let ada = Peer(id: "u1", name: "Ada Lovelace", email: "ada@example.com", avatarURL: nil)
    static let bob = Peer(id: "a1", name: "Bob Admin", email: "bob@example.com", avatarURL: "https://example.com/b.png")

    static func direct() -> ConversationSnapshot {
        ConversationSnapshot(id: "7c0e", kind: .direct, customTitle: nil, circle: nil, participants: [bob, ada],
                             memberCount: 2, sendPolicy: .allMembers, createdAt: "t0", lastActivityAt: "t1", lastMessage: nil)
    }

    @Test func directChatShowsTheOtherParticipantAsPeerAndTitle() throws {
        let view = Self.direct().render(for: Viewer(id: "a1", role: .admin), state: ViewerState(unreadCount: 3, lastReadSeq: 4))
        #expect(view.peer == Self.ada)
        #expect(view.title == "Ada Lovelace")
        let object = try json(view)
        #expect(Set(object.keys) == ["id", "kind", "title", "custom_title", "peer", "circle", "member_count", "send_policy",
                                     "can_send", "created_at", "last_activity_at", "last_message", "unread_count", "last_read_seq",
                                     "unread_mentions", "muted", "peer_last_read_seq"])
        #expect(object["circle"] is NSNull)
        #expect(object["unread_count"] as? Int == 3)
        #expect(Self.direct().render(for: Viewer(id: "u1", role: .member)).peer == Self.bob)
    }

    @Test func streamFormLeavesOutPerViewerFields() throws {
        let object = try json(Self.direct().render(for: Viewer(id: "a1", role: .admin)))
        #expect(object["can_send"] == nil && object["unread_count"] == nil && object["last_read_seq"] == nil)
    }

    @Test func circleTitleFallsBackToTheCircleNameAndPolicyDecidesWhoSends() {
        var snapshot = ConversationSnapshot(id: "c", kind: .circle, customTitle: nil, circle: CircleRef(id: "c1", name: "Night shift", url: nil),
                                            participants: [], memberCount: 12, sendPolicy: .adminsOnly, createdAt: "t0", lastActivityAt: "t0", lastMessage: nil)
        let member = Viewer(id: "u1", role: .member), admin = Viewer(id: "a1", role: .admin)
        #expect(snapshot.render(for: member).title == "Night shift")
        #expect(!snapshot.canSend(member) && snapshot.canSend(admin))
        snapshot.customTitle = "Announcements"
        snapshot.sendPolicy = .allMembers
        #expect(snapshot.render(for: member).title == "Announcements")
        #expect(snapshot.canSend(member))
    }

    @Test func snapshotDecodesTheDatabaseForm() throws {
        let text = """
        {"id":"7c0e","kind":"circle","custom_title":null,"circle":{"id":"c1","name":"Ops","url":"https://x/c1"},
         "participants":[],"member_count":5,"send_policy":"admins_only","created_at":"a","last_activity_at":"b",
         "last_message":{"id":9,"seq":2,"sender":{"id":"u","name":"U","avatar_url":null},"body_preview":"hi","deleted":false,"created_at":"c"}}
        """
        let snapshot = try JSONDecoder().decode(ConversationSnapshot.self, from: Data(text.utf8))
        #expect(snapshot.sendPolicy == .adminsOnly)
        #expect(snapshot.lastMessage?.seq == 2)
        #expect(snapshot.circle?.url == "https://x/c1")
    }
}

@Suite struct Base64URLText {
    @Test func roundTripsWithoutPaddingInTheURLAlphabet() {
        for count in 0..<40 {
            let data = Data((0..<count).map { UInt8(($0 * 97 + 251) % 256) })
            let text = Base64URL.encode(data)
            #expect(!text.contains("=") && !text.contains("+") && !text.contains("/"))
            #expect(Base64URL.isEncoded(text))
            #expect(Base64URL.decode(text) == data)
        }
    }

    @Test(arguments: ["a+b", "a/b", "ab==", "a b", "é", "a"])
    func refusesWhatIsNotBase64URL(_ text: String) {
        #expect(Base64URL.decode(text) == nil)
    }
}
