import Foundation
import HTTP
import Models
import Postgres

/// The SQL of conversations: starting and updating them, listing, one conversation, members.
struct ConversationStore: Sendable {
    let database: Database
    /// For `list`: a standby when `DATABASE_READ_URL` is set, except right after the viewer's own write.
    let reads: ReadRouting

    /// One page of the caller's conversations, newest activity first.
    struct Page: Sendable {
        var items: [ConversationView]
        var next: ConversationCursor?
    }

    func conversation(_ id: UUID, for viewer: Viewer) async throws -> ConversationView {
        try await database.run { connection in
            guard let view = try ConversationRows.view(id, for: viewer, on: connection) else {
                throw APIError.conversationNotFound
            }
            return view
        }
    }

    func list(for viewer: Viewer, kind: ConversationKind?, after cursor: ConversationCursor?, limit: Int) async throws -> Page {
        try await reads.run(forReadsBy: viewer.id) { connection in
            let rows = try connection.query(SQLQuery(
                unsafeSQL: ConversationListQueries.page,
                binds: [viewer.id, cursor?.activityMicroseconds, cursor?.id, limit + 1, viewer.isAdmin, kind?.rawValue]))
            var items: [ConversationView] = []
            var next: ConversationCursor?
            for (index, row) in rows.enumerated() where index < limit {
                items.append(try ConversationRows.view(row, for: viewer))
                if index == limit - 1, rows.count > limit {
                    next = ConversationCursor(activityMicroseconds: try row.decode("activity_us"), id: try row.decode("id"))
                }
            }
            return Page(items: items, next: next)
        }
    }

    /// The participants: both users of a direct chat, the circle's current members of a circle
    /// chat (admins who are not members are not listed), by name.
    func members(of id: UUID, for viewer: Viewer) async throws -> [User] {
        try await database.run { connection in
            let access = try ConversationAccess.require(id, viewer: viewer, on: connection)
            let rows: PostgresRows
            switch access.kind {
            case .direct:
                rows = try connection.query("""
                    SELECT \(unsafeSQL: Columns.user) FROM chat.users u WHERE u.id = ANY(\(access.directUsers)::text[])
                     ORDER BY lower(u.name), u.id
                    """)
            case .circle:
                rows = try connection.query("""
                    SELECT \(unsafeSQL: Columns.user) FROM chat.circle_members cm JOIN chat.users u ON u.id = cm.user_id
                     WHERE cm.circle_id = \(access.circleID) ORDER BY lower(u.name), u.id
                    """)
            }
            return try rows.map(User.init(row:))
        }
    }

    /// The direct chat of `admin` and `userID`: created (true) or the existing one. 422 for
    /// oneself or an inactive user, 404 for an unknown one.
    func openDirect(admin: Viewer, with userID: String) async throws -> (ConversationView, created: Bool) {
        guard userID != admin.id else { throw APIError.invalid("user_id", "you cannot start a chat with yourself") }
        return try await database.run { connection in
            let active = try connection.query("SELECT active FROM chat.users WHERE id = \(userID)").first?.decode("active", as: Bool.self)
            guard let active else { throw APIError.notFound("no user has this id") }
            guard active else { throw APIError.invalid("user_id", "this user is inactive") }
            let row = try connection.query("""
                SELECT conversation_id, created FROM chat.open_direct_conversation(\(admin.id), \(userID), \(admin.id))
                """).first
            guard let row else { throw PostgresError(.server, "open_direct_conversation returned no row") }
            let id: UUID = try row.decode("conversation_id")
            guard let view = try ConversationRows.view(id, for: admin, on: connection) else {
                throw PostgresError(.server, "the direct conversation \(id) is not visible to its creator")
            }
            return (view, try row.decode("created", as: Bool.self))
        }
    }

    /// Creates the chat of a circle. 404 for an unknown circle; 409 naming the existing chat.
    func createCircleChat(admin: Viewer, circleID: String, title: String?, policy: SendPolicy) async throws -> ConversationView {
        try await database.run { connection in
            guard try connection.query("SELECT 1 FROM chat.circles WHERE id = \(circleID)").count == 1 else {
                throw APIError.notFound("no circle has this id")
            }
            let inserted = try connection.query("""
                INSERT INTO chat.conversations (kind, circle_id, custom_title, send_policy, created_by)
                VALUES ('circle', \(circleID), \(title), \(policy.rawValue), \(admin.id))
                ON CONFLICT (circle_id) DO NOTHING
                RETURNING id
                """).first
            guard let inserted else {
                let existing = try connection.query("SELECT id::text AS id FROM chat.conversations WHERE circle_id = \(circleID)")
                    .first?.decode("id", as: String.self)
                throw APIError.conflict("this circle already has a chat", extra: existing.map { ["conversation_id": $0] } ?? [:])
            }
            let id: UUID = try inserted.decode("id")
            guard let view = try ConversationRows.view(id, for: admin, on: connection) else {
                throw PostgresError(.server, "the circle conversation \(id) is not visible to an admin")
            }
            return view
        }
    }

    /// Changes a circle chat's title and/or policy; the schema writes the system messages
    /// (`title_changed`, `policy_changed`) in the same transaction, none when nothing changes. 404 when the admin cannot see it (a direct
    /// chat of others), 422 for a direct chat of their own (it has neither).
    func update(_ id: UUID, admin: Viewer, title: ConversationPatchBody.TitleChange, policy: SendPolicy?) async throws -> ConversationView {
        try await database.transaction { connection in
            let access = try ConversationAccess.require(id, viewer: admin, on: connection)
            guard access.kind == .circle else {
                throw APIError.invalid(title == .keep ? "send_policy" : "title", "only circle chats have a title and a send policy")
            }
            var newTitle: String?
            var setsTitle = false
            if case .set(let value) = title {
                newTitle = value
                setsTitle = true
            }
            try connection.setActor(admin)  // the system messages name who changed it
            try connection.execute("""
                UPDATE chat.conversations
                   SET custom_title = CASE WHEN \(setsTitle) THEN \(newTitle)::text ELSE custom_title END,
                       send_policy = coalesce(\(policy?.rawValue)::text, send_policy)
                 WHERE id = \(id)
                   AND (custom_title, send_policy) IS DISTINCT FROM
                       (CASE WHEN \(setsTitle) THEN \(newTitle)::text ELSE custom_title END,
                        coalesce(\(policy?.rawValue)::text, send_policy))
                """)
            guard let view = try ConversationRows.view(id, for: admin, on: connection) else { throw APIError.conversationNotFound }
            return view
        }
    }
}
