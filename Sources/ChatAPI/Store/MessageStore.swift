import Foundation
import HTTP
import Models
import Postgres

/// One message: read it, edit it, delete it, react to it (API.md, "Messages: edit, delete,
/// reply, react, system messages"). Each change runs in one transaction that checks access
/// (404), locks the message row, checks the caller's right (403) and its state (409), then
/// changes the row; the schema's triggers keep the revision, remove a deleted text and write
/// the stream events.
struct MessageStore: Sendable {
    let database: Database

    /// The message as `viewer` sees it (`reactions[].me`).
    func message(_ messageID: Int64, in conversation: UUID, for viewer: Viewer) async throws -> Message {
        try await database.run { connection in
            let row = try connection.query("""
                SELECT v.visible, j.message::text AS message
                  FROM (SELECT EXISTS (SELECT 1 FROM chat.visible_conversations(\(viewer.id), \(viewer.isAdmin)) c
                                        WHERE c.id = \(conversation)) AS visible) AS v
                  LEFT JOIN chat.messages m ON v.visible AND m.conversation_id = \(conversation) AND m.id = \(messageID)
                  LEFT JOIN LATERAL chat.message_json_of(m.id, \(viewer.id)::text) AS j ON true
                """).first
            guard try row?.decode("visible", as: Bool.self) == true else { throw APIError.conversationNotFound }
            guard let json = try row?.decode("message", as: String?.self) else { throw APIError.messageNotFound }
            return try Message(databaseJSON: json)
        }
    }

    /// The sender's edit: 403 for anyone else or a system message, 409 once deleted. The same
    /// body again changes nothing (no revision, no event).
    func edit(_ messageID: Int64, in conversation: UUID, body: String, by viewer: Viewer) async throws -> Message {
        try await database.transaction { connection in
            let target = try Self.lock(messageID, in: conversation, for: viewer, on: connection)
            guard target.kind == .user, target.senderID == viewer.id else {
                throw APIError.forbidden("only the sender can edit a message")
            }
            guard !target.deleted else { throw APIError.conflict("this message was deleted") }
            try connection.setActor(viewer)
            try connection.execute("UPDATE chat.messages SET body = \(body) WHERE id = \(messageID) AND body <> \(body)")
            return try Self.current(messageID, for: viewer, on: connection)
        }
    }

    /// Deletion by the sender, or by an admin who sees the conversation (moderation);
    /// idempotent. 403 for a system message or a member deleting another's message.
    func delete(_ messageID: Int64, in conversation: UUID, by viewer: Viewer) async throws {
        try await database.transaction { connection in
            let target = try Self.lock(messageID, in: conversation, for: viewer, on: connection)
            guard target.kind == .user else { throw APIError.forbidden("system messages cannot be deleted") }
            guard target.senderID == viewer.id || viewer.isAdmin else {
                throw APIError.forbidden("only the sender or an admin can delete a message")
            }
            guard !target.deleted else { return }
            try connection.setActor(viewer)
            try connection.execute("""
                UPDATE chat.messages SET deleted_at = now(), deleted_by = \(viewer.id) WHERE id = \(messageID)
                """)
        }
    }

    /// Adds the viewer's reaction (idempotent). 403 on a system message, 409 on a deleted one,
    /// 422 `emoji` for a 21st distinct emoji.
    func react(_ messageID: Int64, in conversation: UUID, emoji: String, by viewer: Viewer) async throws {
        try await database.transaction { connection in
            let target = try Self.lock(messageID, in: conversation, for: viewer, on: connection)
            guard target.kind == .user else { throw APIError.forbidden("system messages cannot be reacted to") }
            guard !target.deleted else { throw APIError.conflict("this message was deleted") }
            // The message row is locked: no other reaction to it can change these counts now.
            let row = try connection.query("""
                SELECT count(DISTINCT emoji) FILTER (WHERE emoji <> \(emoji)) AS others,
                       count(*) FILTER (WHERE emoji = \(emoji)) AS same,
                       coalesce(bool_or(emoji = \(emoji) AND user_id = \(viewer.id)), false) AS mine
                  FROM chat.message_reactions WHERE message_id = \(messageID)
                """).first
            guard let row, try !row.decode("mine", as: Bool.self) else { return }
            if try row.decode("same", as: Int.self) == 0, try row.decode("others", as: Int.self) >= Self.maxDistinctReactions {
                throw APIError.invalid("emoji", "a message has at most \(Self.maxDistinctReactions) different reactions")
            }
            try connection.execute("""
                INSERT INTO chat.message_reactions (message_id, user_id, emoji) VALUES (\(messageID), \(viewer.id), \(emoji))
                ON CONFLICT DO NOTHING
                """)
        }
    }

    /// Removes the viewer's reaction; 204 whether or not there was one (a deleted message has
    /// none). 403 on a system message.
    func unreact(_ messageID: Int64, in conversation: UUID, emoji: String, by viewer: Viewer) async throws {
        try await database.transaction { connection in
            let target = try Self.lock(messageID, in: conversation, for: viewer, on: connection)
            guard target.kind == .user else { throw APIError.forbidden("system messages cannot be reacted to") }
            try connection.execute("""
                DELETE FROM chat.message_reactions WHERE message_id = \(messageID) AND user_id = \(viewer.id) AND emoji = \(emoji)
                """)
        }
    }

    /// API.md: at most 20 distinct reactions per message (the schema's trigger agrees).
    static let maxDistinctReactions = 20

    // MARK: - Steps

    /// What a change needs to know of the message it targets.
    private struct Target {
        var kind: MessageKind
        var senderID: String?
        var deleted: Bool
    }

    /// Checks that `viewer` sees the conversation (404) and locks the message (404 when it is
    /// not one of the conversation's) until the transaction ends: edits, deletions and
    /// reactions of one message take turns.
    private static func lock(_ messageID: Int64, in conversation: UUID, for viewer: Viewer,
                             on connection: PostgresConnection) throws -> Target {
        _ = try ConversationAccess.require(conversation, viewer: viewer, on: connection)
        guard let row = try connection.query("""
            SELECT kind, sender_id, deleted_at IS NOT NULL AS deleted FROM chat.messages
             WHERE id = \(messageID) AND conversation_id = \(conversation) FOR NO KEY UPDATE
            """).first else { throw APIError.messageNotFound }
        guard let kind = MessageKind(rawValue: try row.decode("kind")) else {
            throw PostgresError(.decoding, "unknown message kind", column: "kind")
        }
        return Target(kind: kind, senderID: try row.decode("sender_id"), deleted: try row.decode("deleted"))
    }

    private static func current(_ messageID: Int64, for viewer: Viewer, on connection: PostgresConnection) throws -> Message {
        guard let json = try connection.query("""
            SELECT j.message::text AS message FROM chat.message_json_of(\(messageID), \(viewer.id)::text) AS j
            """).first?.decode("message", as: String?.self) else { throw APIError.messageNotFound }
        return try Message(databaseJSON: json)
    }
}

extension APIError {
    /// A message that does not exist in a conversation the caller sees.
    static let messageNotFound = APIError.notFound("message not found")
}

/// Message ids in paths are positive integers; anything else cannot exist (404).
enum MessageID {
    static func parse(_ text: String?) throws(APIError) -> Int64 {
        guard let text, let id = Int64(text), id > 0, String(id) == text else { throw APIError.messageNotFound }
        return id
    }
}
