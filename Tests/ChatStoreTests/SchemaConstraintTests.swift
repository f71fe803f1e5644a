import Foundation
import Models
import Postgres
import Testing

@Suite("Schema constraints")
struct SchemaConstraintTests {
    /// Bodies on both sides of every rule. The database must agree with Models' validation.
    static let bodies: [(String, String, String?)] = [
        ("4,000 emoji", String(repeating: "😀", count: 4000), nil),
        ("4,000 scalars of ZWJ families", String(repeating: "👩‍👩‍👧", count: 800), nil),
        ("tab and newline", "line one\n\tline two", nil),
        ("one visible character among spaces", "   .   ", nil),
        ("4,001 characters", String(repeating: "x", count: 4001), "messages_body_length"),
        ("4,005 scalars of ZWJ families", String(repeating: "👩‍👩‍👧", count: 801), "messages_body_length"),
        ("empty", "", "messages_body_length"),
        ("only spaces", "     ", "messages_body_not_blank"),
        ("only tabs and newlines", "\t\n\n\t", "messages_body_not_blank"),
        ("only Unicode spaces", "\u{3000}\u{00A0}\u{2003}\u{202F}", "messages_body_not_blank"),
        ("U+0001", "a\u{01}b", "messages_body_no_control_characters"),
        ("escape", "\u{1B}[31mred", "messages_body_no_control_characters"),
        ("carriage return", "a\r\nb", "messages_body_no_control_characters"),
        ("vertical tab", "a\u{0B}b", "messages_body_no_control_characters"),
        ("DEL", "a\u{7F}", "messages_body_no_control_characters"),
        ("C1 NEL", "a\u{85}b", "messages_body_no_control_characters"),
        ("C1 U+009F", "a\u{9F}b", "messages_body_no_control_characters"),
    ]

    @Test("message bodies: the CHECKs accept and reject exactly what Models does", arguments: bodies)
    func bodyRules(label: String, body: String, violatedConstraint: String?) async throws {
        try await StoreFixture.with { fixture in
            try await fixture.user("a1", role: "admin")
            try await fixture.user("u1")
            let conversation = try await fixture.direct("a1", "u1")
            #expect((MessageBody.problem(with: body) == nil) == (violatedConstraint == nil), "Models disagrees: \(label)")
            if let violatedConstraint {
                let error = await #expect(throws: PostgresError.self) {
                    try await fixture.send(body, from: "a1", to: conversation)
                }
                #expect(error?.isCheckViolation == true, "\(label): \(String(describing: error))")
                #expect(error?.constraint == violatedConstraint, "\(label)")
                #expect(try await fixture.pool.query("SELECT last_seq FROM chat.conversations")[0].decode("last_seq", as: Int64.self) == 0)
                #expect(try await fixture.events(["message.created"]).isEmpty)
            } else {
                let stored = try await fixture.send(body, from: "a1", to: conversation)
                #expect(stored.seq == 1)
                let back = try await fixture.pool.query("SELECT body FROM chat.messages")[0].decode("body", as: String.self)
                #expect(back == body)
            }
        }
    }

    @Test("a NUL byte never reaches the server")
    func nulIsRefusedBeforeIO() async throws {
        try await StoreFixture.with { fixture in
            try await fixture.user("a1", role: "admin")
            try await fixture.user("u1")
            let conversation = try await fixture.direct("a1", "u1")
            let error = await #expect(throws: PostgresError.self) { try await fixture.send("a\u{0}b", from: "a1", to: conversation) }
            #expect(error?.kind == .invalidParameter)
        }
    }

    @Test("user and circle ids follow the id rule", arguments: [
        ("a.b_c:d@e-F9", true), (String(repeating: "x", count: 64), true),
        ("", false), ("has space", false), ("ümlaut", false), ("slash/id", false), (String(repeating: "x", count: 65), false),
    ])
    func idRule(id: String, valid: Bool) async throws {
        try await StoreFixture.with { fixture in
            #expect(ExternalID.isValid(id) == valid, "Models disagrees about \(id)")
            if valid {
                try await fixture.user(id)
                try await fixture.circle(id)
            } else {
                let error = await #expect(throws: PostgresError.self) { try await fixture.user(id) }
                #expect(error?.isCheckViolation == true)
            }
        }
    }

    @Test("conversations: kind matches circle_id or the ordered pair, titles and admins_only only on circle chats")
    func conversationShape() async throws {
        try await StoreFixture.with { fixture in
            try await fixture.user("a1", role: "admin")
            try await fixture.user("u1")
            try await fixture.circle("c1")
            let rejected: [(String, SQLQuery)] = [
                ("conversations_circle_iff_circle_id", "INSERT INTO chat.conversations (kind) VALUES ('circle')"),
                ("conversations_direct_iff_pair", "INSERT INTO chat.conversations (kind, direct_user_low) VALUES ('direct', 'a1')"),
                ("conversations_direct_pair_ordered",
                 "INSERT INTO chat.conversations (kind, direct_user_low, direct_user_high) VALUES ('direct', 'u1', 'a1')"),
                ("conversations_direct_pair_ordered",
                 "INSERT INTO chat.conversations (kind, direct_user_low, direct_user_high) VALUES ('direct', 'u1', 'u1')"),
                ("conversations_custom_title_only_circle",
                 "INSERT INTO chat.conversations (kind, direct_user_low, direct_user_high, custom_title) VALUES ('direct', 'a1', 'u1', 'T')"),
                ("conversations_direct_all_members",
                 "INSERT INTO chat.conversations (kind, direct_user_low, direct_user_high, send_policy) VALUES ('direct', 'a1', 'u1', 'admins_only')"),
                ("conversations_custom_title_not_blank",
                 "INSERT INTO chat.conversations (kind, circle_id, custom_title) VALUES ('circle', 'c1', '  ')"),
                ("conversations_send_policy_known",
                 "INSERT INTO chat.conversations (kind, circle_id, send_policy) VALUES ('circle', 'c1', 'everyone')"),
            ]
            for (constraint, statement) in rejected {
                let error = await #expect(throws: PostgresError.self, "\(constraint)") { try await fixture.pool.execute(statement) }
                #expect(error?.constraint == constraint, "\(String(describing: error))")
            }
            _ = try await fixture.circleChat("c1")
            let second = await #expect(throws: PostgresError.self) { _ = try await fixture.circleChat("c1") }
            #expect(second?.isUniqueViolation == true)
            #expect(second?.constraint == "conversations_circle_id_key")
        }
    }

    @Test("a message's seq cannot run ahead of the conversation's counter, nor its client_id repeat")
    func seqAndClientIDGuards() async throws {
        try await StoreFixture.with { fixture in
            try await fixture.user("a1", role: "admin")
            try await fixture.user("u1")
            let conversation = try await fixture.direct("a1", "u1")
            let ahead = await #expect(throws: PostgresError.self) {
                try await fixture.pool.execute("""
                    INSERT INTO chat.messages (conversation_id, sender_id, body, seq) VALUES (\(conversation), 'a1', 'x', 5)
                    """)
            }
            #expect(ahead?.isCheckViolation == true)
            let insert: SQLQuery = """
                INSERT INTO chat.messages (conversation_id, sender_id, body, client_id) VALUES (\(conversation), 'a1', 'x', 'k1')
                ON CONFLICT DO NOTHING
                """
            try await fixture.pool.execute(insert)
            let repeated = await #expect(throws: PostgresError.self) { try await fixture.pool.execute(insert) }
            #expect(repeated?.isUniqueViolation == true)
            #expect(repeated?.constraint == "messages_client_id_key")
            try await fixture.send("next", from: "a1", to: conversation)
            let seqs = try await fixture.pool.query("SELECT seq FROM chat.messages ORDER BY seq").map { try $0.decode("seq", as: Int64.self) }
            #expect(seqs == [1, 2], "a refused client_id must not leave a hole")
            let unknown = await #expect(throws: PostgresError.self) { try await fixture.send("x", from: "a1", to: UUID()) }
            #expect(unknown?.isForeignKeyViolation == true)
        }
    }
}
