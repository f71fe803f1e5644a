import Foundation
import Postgres

/// A synthetic data set for the message-search benchmark (`chatctl seed-search`,
/// `scripts/bench-search`): `conversations` circle chats of `membersPerCircle` members each, and
/// `messages` messages spread over them, with bodies of 4 to 24 words drawn from a vocabulary of
/// `vocabulary` made-up words (a few very common, most rare, like real text). The user
/// `bench-member` is a member of `benchCircles` of the circles; `bench-admin` created them.
///
/// Fast: users, circles and memberships are one `INSERT ... SELECT` each; the messages go
/// through `COPY` into a temporary table and then one `INSERT ... SELECT` that numbers them,
/// with the per-message event triggers disabled for that statement (the benchmark needs the
/// rows and the search index, not a million stream events). Meant for an empty database that
/// nobody else writes to meanwhile; everything happens in one transaction. Deterministic.
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

    /// Word `index` of the vocabulary: syllables, so words share prefixes like real ones do.
    public static func word(_ index: Int) -> String {
        let syllables = ["ka", "lo", "mi", "ne", "ru", "sa", "to", "vi", "pe", "da", "go", "fu", "ze", "bra", "cle", "dri",
                         "é", "ña", "ür", "ost"]
        var n = index
        var word = ""
        repeat {
            word += syllables[n % syllables.count]
            n /= syllables.count
        } while n > 0
        return word
    }

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
            try connection.execute("""
                CREATE TEMPORARY TABLE bench_messages (n bigint, circle text, sender text, body text) ON COMMIT DROP
                """)
            _ = try connection.copyIn(unsafeSQL: "COPY bench_messages (n, circle, sender, body) FROM STDIN") { send in
                var random = SplitMix64(seed: 12)
                for n in 0..<messages {
                    let circle = n % conversations + 1
                    let member = ((circle * 7 + Int(random.next() % UInt64(membersPerCircle)) + 1) % people) + 1
                    try send("\(n)\tbench-circle-\(circle)\tbench-user-\(member)\t\(body(&random))\n")
                }
            }
            try connection.execute("""
                ALTER TABLE chat.messages DISABLE TRIGGER messages_assign_seq, DISABLE TRIGGER messages_after_insert,
                                          DISABLE TRIGGER messages_index_mentions
                """)
            try connection.execute("""
                INSERT INTO chat.messages (conversation_id, seq, sender_id, body, created_at)
                SELECT c.id, c.last_seq + row_number() OVER (PARTITION BY c.id ORDER BY b.n), b.sender, b.body,
                       now() - interval '1 second' * (\(messages) - b.n)
                  FROM bench_messages b JOIN chat.conversations c ON c.circle_id = b.circle
                 ORDER BY b.n
                """)
            try connection.execute("""
                ALTER TABLE chat.messages ENABLE TRIGGER messages_assign_seq, ENABLE TRIGGER messages_after_insert,
                                          ENABLE TRIGGER messages_index_mentions
                """)
            try connection.execute("""
                UPDATE chat.conversations c
                   SET last_seq = n.last_seq, last_message_id = n.last_id, last_activity_at = n.newest
                  FROM (SELECT m.conversation_id, max(m.seq) AS last_seq, max(m.created_at) AS newest,
                               (array_agg(m.id ORDER BY m.seq DESC) FILTER (WHERE m.kind = 'user'))[1] AS last_id
                          FROM chat.messages m JOIN chat.conversations x ON x.id = m.conversation_id
                         WHERE x.circle_id LIKE 'bench-circle-%' GROUP BY m.conversation_id) AS n
                 WHERE c.id = n.conversation_id
                """)
        }
        try connection.execute("ANALYZE chat.messages")
        return "loaded \(messages) messages over \(conversations) circle chats (\(people + 2) users; "
            + "\(Self.benchMember) is in \(benchCircles) of them)"
    }

    /// 4 to 24 words; word ranks follow a rough Zipf law (a few very common, most rare).
    private func body(_ random: inout SplitMix64) -> String {
        let count = 4 + Int(random.next() % 21)
        var words: [String] = []
        words.reserveCapacity(count)
        for _ in 0..<count {
            let u = Double(random.next() % 1_000_000) / 1_000_000
            let rank = Int(pow(Double(vocabulary), u)) - 1
            words.append(Self.word(min(max(rank, 0), vocabulary - 1)))
        }
        return PostgresConnection.copyText(words.joined(separator: " "))
    }
}
