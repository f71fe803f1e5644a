import Postgres

/// The scale data set (`chatctl seed-scale`, `scripts/bench-scale`; issue 16): by default
/// 10,000,000 messages, 100,000 users and 20,000 conversations, shaped like a backoffice
/// (`ScalePopulation`: admins, members, big and small circles, announcement channels, direct
/// chats; `ScaleTraffic`: who says what where), with read markers. The benchmark times the
/// requests of `scale-member` and `scale-admin`.
///
/// Fast: users, circles and memberships go in with `COPY`; conversations too, their triggers on
/// (a circle chat's `chat_created` message, the direct participants, `conversation.created`);
/// the messages through `BulkMessageLoader`. What the skipped per-message triggers would have
/// kept is filled so that the API reads a consistent database: the conversations' counters
/// (`BulkMessageLoader`), and a read marker for every member and participant of every
/// conversation and every admin of every circle chat, never behind the user's own last message
/// (sending moves the sender's marker, and the unread counts rely on it). No stream events for
/// the loaded messages. Meant for an empty database nobody else uses meanwhile; one
/// transaction. Deterministic.
public struct ScaleSeed: Sendable {
    public var messages: Int
    public var users: Int
    public var conversations: Int
    /// Messages per COPY and INSERT statement (tests make it small to cross its boundaries).
    var messagesPerStatement = 1_000_000

    public init(messages: Int = 10_000_000, users: Int = 100_000, conversations: Int = 20_000) {
        self.messages = messages
        self.users = users
        self.conversations = conversations
    }

    /// The member and the admin whose requests the benchmark times.
    public static let scaleMember = "scale-member"
    public static let scaleAdmin = "scale-admin"

    /// Sizes that make no population (too few users for the direct chats).
    public struct Unfit: Error, CustomStringConvertible {
        public let description: String
        init(_ description: String) { self.description = description }
    }

    /// Loads the set; returns a one-line summary.
    /// - Throws: `Unfit` before writing anything when the sizes do not fit; database errors.
    public func load(on connection: PostgresConnection) throws -> String {
        var random = SplitMix64(seed: 16)
        let population = try ScalePopulation(users: users, conversations: conversations, random: &random)
        try connection.withTransaction { connection in
            try copyDirectory(population, on: connection)
            try copyConversations(population, on: connection)
            var traffic = ScaleTraffic(population: population, seed: 17)
            var loader = BulkMessageLoader(conversations: population.conversationIDs, total: messages)
            loader.chunk = messagesPerStatement
            try loader.load(on: connection) { _ in traffic.next() }
            try writeReadMarkers(population, on: connection)
        }
        try connection.execute("ANALYZE")
        let circles = population.circles.count
        return "loaded \(messages) messages over \(conversations) conversations (\(circles) circle chats, "
            + "\(conversations - circles) direct chats) and \(users) users (\(population.admins) admins); "
            + "\(Self.scaleMember) is in \(population.circles.filter(\.withScaleMember).count) circles and "
            + "\(population.directs.filter { $0.member == 0 }.count) direct chats"
    }

    /// Users, circles and memberships (before the chats exist: no membership events or messages).
    private func copyDirectory(_ population: ScalePopulation, on connection: PostgresConnection) throws {
        _ = try connection.copyIn(unsafeSQL: "COPY chat.users (id, name, email, role) FROM STDIN") { send in
            for index in 0..<population.admins {
                let id = ScalePopulation.adminID(index)
                try send("\(id)\t\(ScalePopulation.adminName(index))\t\(id)@example.com\tadmin\n")
            }
            for index in 0..<population.members {
                let id = ScalePopulation.memberID(index)
                try send("\(id)\t\(ScalePopulation.memberName(index))\t\(id)@example.com\tmember\n")
            }
        }
        _ = try connection.copyIn(unsafeSQL: "COPY chat.circles (id, name) FROM STDIN") { send in
            for index in population.circles.indices {
                try send("\(ScalePopulation.circleID(index))\tScale circle \(index)\n")
            }
        }
        try connection.withForeignKeysDropped(of: ["chat.circle_members"]) {
            try connection.copyIn(unsafeSQL: "COPY chat.circle_members (circle_id, user_id) FROM STDIN") { send in
                for (index, circle) in population.circles.enumerated() {
                    for slot in 0..<circle.memberCount {
                        try send("\(ScalePopulation.circleID(index))\t\(ScalePopulation.memberID(population.member(of: circle, slot: slot)))\n")
                    }
                }
            }
        }
    }

    /// The conversations, created a day before the first message, by `scale-admin` (circle chats)
    /// or the admin of the direct chat; their `chat_created` messages are dated the same.
    private func copyConversations(_ population: ScalePopulation, on connection: PostgresConnection) throws {
        let created: String = try connection.query("""
            SELECT (now() - interval '1 second' * (\(messages) + 86400))::text AS created
            """)[0].decode("created")
        let columns = "id, kind, circle_id, direct_user_low, direct_user_high, send_policy, created_by, created_at"
        _ = try connection.copyIn(unsafeSQL: "COPY chat.conversations (\(columns)) FROM STDIN") { send in
            for (index, id) in population.conversationIDs.enumerated() {
                if index < population.circles.count {
                    let policy = population.circles[index].adminsOnly ? "admins_only" : "all_members"
                    try send("\(id)\tcircle\t\(ScalePopulation.circleID(index))\t\\N\t\\N\t\(policy)\t\(Self.scaleAdmin)\t\(created)\n")
                } else {
                    let direct = population.directs[index - population.circles.count]
                    let pair = [ScalePopulation.adminID(direct.admin), ScalePopulation.memberID(direct.member)].sorted()
                    try send("\(id)\tdirect\t\\N\t\(pair[0])\t\(pair[1])\tall_members\t\(ScalePopulation.adminID(direct.admin))\t\(created)\n")
                }
            }
        }
        try connection.execute("""
            UPDATE chat.messages m SET created_at = c.created_at FROM chat.conversations c
             WHERE m.conversation_id = c.id AND m.kind = 'system' AND c.id = ANY(\(population.conversationIDs)::uuid[])
            """)
    }

    /// A marker for every member of every circle chat, both participants of every direct chat and
    /// every admin in every circle chat: seven in ten have read everything, two in ten are 1 to
    /// 20 messages behind, one in ten half the conversation; never behind their own last message.
    private func writeReadMarkers(_ population: ScalePopulation, on connection: PostgresConnection) throws {
        try connection.withForeignKeysDropped(of: ["chat.read_markers"]) {
            try connection.execute("""
                INSERT INTO chat.read_markers (conversation_id, user_id, last_read_seq)
                SELECT v.conversation_id, v.user_id,
                       greatest(coalesce(own.seq, 0), CASE WHEN v.draw < 70 THEN v.last_seq
                                                           WHEN v.draw < 90 THEN v.last_seq - 1 - v.draw % 20
                                                           ELSE v.last_seq / 2 END, 0)
                  FROM (SELECT a.conversation_id, a.user_id, c.last_seq,
                               (hashtext(a.conversation_id::text || a.user_id)::bigint & 2147483647) % 100 AS draw
                          FROM (SELECT c.id AS conversation_id, cm.user_id
                                  FROM chat.circle_members cm JOIN chat.conversations c ON c.circle_id = cm.circle_id
                                UNION
                                SELECT dp.conversation_id, dp.user_id FROM chat.direct_participants dp
                                UNION
                                SELECT c.id, u.id FROM chat.conversations c JOIN chat.users u ON u.role = 'admin'
                                 WHERE c.kind = 'circle') AS a
                          JOIN chat.conversations c ON c.id = a.conversation_id
                         WHERE c.id = ANY(\(population.conversationIDs)::uuid[])) AS v
                  LEFT JOIN (SELECT conversation_id, sender_id, max(seq) AS seq FROM chat.messages
                              WHERE kind = 'user' GROUP BY conversation_id, sender_id) AS own
                    ON own.conversation_id = v.conversation_id AND own.sender_id = v.user_id
                """)
        }
    }
}
