import Foundation
import Models
import Testing

@testable import ChatAPI

/// The API's own JSON writer says exactly what Foundation's `JSONEncoder` says (compared as
/// parsed JSON), for every response type and for the awkward cases of `Encodable`.
@Suite
struct StreamingJSONEncoderTests {
    static let tricky = "quote \" backslash \\ slash / newline \n tab \t cr \r nul \u{0} bell \u{7} del \u{7F} é 😀 \u{2028}"

    static func sameAsFoundation<T: Encodable>(_ value: T, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let ours = try StreamingJSONEncoder.encode(value)
        let theirs = try JSONEncoder().encode(value)
        #expect(try canonical(Data(ours)) == canonical(theirs), "\(String(decoding: ours, as: UTF8.self))", sourceLocation: sourceLocation)
    }

    /// Parsed and written again with sorted keys: equal texts mean equal JSON.
    static func canonical(_ data: Data) throws -> String {
        let parsed = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        return String(decoding: try JSONSerialization.data(withJSONObject: parsed, options: [.sortedKeys, .fragmentsAllowed]), as: UTF8.self)
    }

    @Test("every response type encodes like JSONEncoder, escapes included")
    func responseTypes() throws {
        let sender = Sender(id: "u1", name: Self.tricky, avatarURL: nil)
        let message = Message(id: 42, conversationID: "7c0e", seq: 7, sender: sender, body: Self.tricky, clientID: nil, createdAt: "2026-11-25T12:00:00.123Z")
        try Self.sameAsFoundation(message)
        try Self.sameAsFoundation(MessagePageBody(items: [.decoded(message), .decoded(message)], hasMore: true))
        try Self.sameAsFoundation(MessagePageBody(items: [], hasMore: false))
        let reply = Message(
            id: 43, conversationID: "7c0e", seq: 8, sender: sender, body: "", clientID: "c", createdAt: "t", editedAt: "t2", deleted: true,
            replyTo: QuotedMessage(id: 42, seq: 7, sender: UserRef(id: "u1", name: Self.tricky), bodyPreview: Self.tricky, deleted: false),
            reactions: [ReactionCount(emoji: "👍🏽", count: 2, me: true), ReactionCount(emoji: ":tada:", count: 1, me: nil)])
        let system = Message(
            id: 44, conversationID: "7c0e", seq: 9, kind: .system, sender: nil, body: "Ada made this chat admins-only", clientID: nil,
            createdAt: "t", system: SystemFacts(type: .membersAdded, users: [UserRef(id: "u2", name: "Grace")], count: 3))
        try Self.sameAsFoundation(MessagePageBody(items: [.decoded(reply), .decoded(system)], hasMore: false))
        // A rendered item is written verbatim; Foundation's encoder gets it through the model.
        let json = Array(String(decoding: try JSONEncoder().encode(reply), as: UTF8.self).utf8)
        try Self.sameAsFoundation(MessagePageBody(items: [.rendered(json), .decoded(system)], hasMore: true))
        let page = try StreamingJSONEncoder.encode(MessagePageBody(items: [.rendered(Array(#"{"x": 1}"#.utf8))], hasMore: false))
        #expect(String(decoding: page, as: UTF8.self) == #"{"items":[{"x": 1}],"has_more":false}"#)
        let user = User(id: "u1", name: "Ada", email: "a@example.com", avatarURL: "https://x/a.png", role: .admin, active: false)
        try Self.sameAsFoundation(user)
        try Self.sameAsFoundation(ItemList(items: [user, user]))
        try Self.sameAsFoundation(Circle(id: "c", name: "C", url: nil, memberCount: 3, conversationID: nil))
        let snapshot = ConversationSnapshot(
            id: "7c0e", kind: .circle, customTitle: nil, circle: CircleRef(id: "c", name: "Circle", url: nil), participants: [],
            memberCount: 3, sendPolicy: .adminsOnly, createdAt: "t", lastActivityAt: "t",
            lastMessage: LastMessage(id: 1, seq: 1, sender: sender, bodyPreview: "p", createdAt: "t"))
        let view = snapshot.render(for: Viewer(id: "u1", role: .member), state: ViewerState(unreadCount: 2, lastReadSeq: 5))
        try Self.sameAsFoundation(view)
        try Self.sameAsFoundation(ConversationListBody(items: [view], nextCursor: nil))
        try Self.sameAsFoundation(ConversationListBody(items: [view, view], nextCursor: "abc"))
        try Self.sameAsFoundation(ReadState(conversationID: "7c0e", lastReadSeq: 3, unreadCount: 0))
        try Self.sameAsFoundation(UnreadTotals(direct: 1, circle: 2, mentions: 3))
        try Self.sameAsFoundation(SessionCreatedBody(token: "t", userID: "u", expiresAt: "e"))
        try Self.sameAsFoundation(MemberCountBody(circleID: "c", memberCount: 0))
    }

    struct Awkward: Encodable {
        enum Keys: String, CodingKey { case a, nested, list, deep, empty, number, flag, maybe }
        struct Empty: Encodable { func encode(to encoder: any Encoder) throws {} }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode("x", forKey: .a)
            var nested = container.nestedContainer(keyedBy: Keys.self, forKey: .nested)
            try nested.encode([1, 2, 3], forKey: .list)
            var deep = nested.nestedUnkeyedContainer(forKey: .deep)
            try deep.encode(true)
            try deep.encodeNil()
            var inner = deep.nestedContainer(keyedBy: Keys.self)
            try inner.encode(Int64.max, forKey: .number)
            try container.encode(Empty(), forKey: .empty)
            try container.encode(2.5, forKey: .number)
            try container.encode(false, forKey: .flag)
            try container.encodeIfPresent(nil as String?, forKey: .maybe)
            var again = encoder.container(keyedBy: Keys.self)
            try again.encode([String: Int](), forKey: .list)
        }
    }

    @Test("nested containers, empty values, containers asked for twice, optionals and top-level values")
    func awkwardEncodables() throws {
        try Self.sameAsFoundation(Awkward())
        try Self.sameAsFoundation([[1], [], [2, 3]])
        try Self.sameAsFoundation(["k": ["a", "b"]])
        try Self.sameAsFoundation(Self.tricky)
        try Self.sameAsFoundation([nil, 1] as [Int?])
        #expect(String(decoding: try StreamingJSONEncoder.encode(Awkward.Empty()), as: UTF8.self) == "{}")
        #expect(throws: EncodingError.self) { try StreamingJSONEncoder.encode([Double.nan]) }
    }
}
