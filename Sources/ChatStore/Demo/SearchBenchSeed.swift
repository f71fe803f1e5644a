import Postgres

/// A synthetic data set for the message-search benchmark (`chatctl seed-search`,
/// `scripts/bench-search`): `conversations` circle chats of `membersPerCircle` members each, and
/// `messages` messages spread over them, with bodies of 4 to 24 words drawn from a vocabulary of
/// `vocabulary` made-up words (a few very common, most rare, like real text). The user
/// `bench-member` is a member of `benchCircles` of the circles; `bench-admin` created them.
///
/// Fast: users, circles and memberships are one `INSERT ... SELECT` each; the messages go
/// through `BulkMessageLoader` (`COPY`, no per-message events: the benchmark needs the rows and
/// the search index, not a million stream events). Meant for an empty database that nobody else
/// writes to meanwhile; everything happens in one transaction. Deterministic.
public struct SearchBenchSeed: Sendable {
    public var messages: Int
    public var conversations: Int
    public var membersPerCircle: Int
    public var benchCircles: Int
    public var vocabulary: Int

    public init(messages: Int = 1_000_000, conversations: Int = 10_000, membersPerCircle: Int = 8,
                benchCircles: Int = 20, vocabulary: Int = 20_000) {
        self.messages = messages
        self.conversations = conversations
        self.membersPerCircle = membersPerCircle
        self.benchCircles = min(benchCircles, conversations)
        self.vocabulary = vocabulary
    }

    /// The member whose searches the benchmark times.
    public static let benchMember = "bench-member"
    public static let benchAdmin = "bench-admin"

    /// Loads the set; returns a one-line summary.
    public func load(on connection: PostgresConnection) throws -> String {
        let people = max(membersPerCircle * 4, 100)
        try connection.withTransaction { connection in
            try connection.execute("""
                INSERT INTO chat.users (id, name, email, role)
                SELECT 'bench-user-' || i, 'Bench User ' || i, 'bench' || i || '@example.com', 'member'
                  FROM generate_series(1, \(people)) AS i
                UNION ALL SELECT \(Self.benchMember), 'Bench Member', 'bench-member@example.com', 'member'
                UNION ALL SELECT \(Self.benchAdmin), 'Bench Admin', 'bench-admin@example.com', 'admin'
                """)
            try connection.execute("""
                INSERT INTO chat.circles (id, name) SELECT 'bench-circle-' || i, 'Bench circle ' || i FROM generate_series(1, \(conversations)) AS i
                """)
            // Member j of circle i is user ((i * 7 + j) mod people) + 1; the bench member joins the first benchCircles.
            try connection.execute("""
                INSERT INTO chat.circle_members (circle_id, user_id)
                SELECT DISTINCT 'bench-circle-' || i, 'bench-user-' || (((i * 7 + j) % \(people)) + 1)
                  FROM generate_series(1, \(conversations)) AS i, generate_series(1, \(membersPerCircle)) AS j
                UNION ALL
                SELECT 'bench-circle-' || i, \(Self.benchMember) FROM generate_series(1, \(benchCircles)) AS i
                """)
            try connection.execute("""
                INSERT INTO chat.conversations (kind, circle_id, created_by, last_activity_at)
                SELECT 'circle', 'bench-circle-' || i, \(Self.benchAdmin), now() FROM generate_series(1, \(conversations)) AS i
                """)
            // Conversation i is the chat of bench-circle-(i + 1).
            let conversationIDs = try connection.query("""
                SELECT c.id::text AS id FROM generate_series(1, \(conversations)) AS i
                  JOIN chat.conversations c ON c.circle_id = 'bench-circle-' || i ORDER BY i
                """).map { try $0.decode("id", as: String.self) }
            let text = SyntheticText(vocabulary: vocabulary)
            var random = SplitMix64(seed: 12)
            try BulkMessageLoader(conversations: conversationIDs, total: messages).load(on: connection) { n in
                let circle = n % conversations + 1
                let member = ((circle * 7 + Int(random.next() % UInt64(membersPerCircle)) + 1) % people) + 1
                return BulkMessageLoader.Message(conversation: circle - 1, sender: "bench-user-\(member)", body: text.body(&random))
            }
        }
        try connection.execute("ANALYZE chat.messages")
        return "loaded \(messages) messages over \(conversations) circle chats (\(people + 2) users; "
            + "\(Self.benchMember) is in \(benchCircles) of them)"
    }
}
