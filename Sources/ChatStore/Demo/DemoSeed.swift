import Foundation
import Postgres

/// Loads demo data for a local run or a review: two admins, 36 members (one inactive), four
/// circles (one without a chat), three circle chats (one `admins_only`), seven direct chats and
/// about 150 messages over the last five days, with read markers that leave unread badges.
///
/// Idempotent: people, circles and memberships are inserted only when missing, and messages only
/// into conversations this run created, so a second run changes nothing. Messages go in with plain
/// INSERTs (the trigger assigns `seq` and writes the events), exactly as a DBA's would.
public struct DemoSeed: Sendable {
    /// What one run added.
    public struct Summary: Sendable, Equatable, CustomStringConvertible {
        public var users = 0
        public var circles = 0
        public var memberships = 0
        public var conversations = 0
        public var messages = 0

        /// Nothing added.
        public init() {}

        public var description: String {
            "added \(users) users, \(circles) circles, \(memberships) memberships, "
                + "\(conversations) conversations, \(messages) messages"
        }
    }

    /// The moment the demo's "last five days" end (default: now).
    public var now: Date

    public init(now: Date = Date()) {
        self.now = now
    }

    /// Loads the demo on a pooled connection, in one transaction.
    public func load(using pool: PostgresPool) async throws -> Summary {
        try await pool.withConnection { connection in try self.load(on: connection) }
    }

    /// Loads the demo on `connection`, in one transaction.
    public func load(on connection: PostgresConnection) throws -> Summary {
        try connection.withTransaction { transaction in
            var summary = Summary()
            summary.users = try insertPeople(transaction)
            summary.circles = try insertCircles(transaction)
            summary.memberships = try insertMemberships(transaction)
            let created = try insertCircleChats(transaction) + insertDirectChats(transaction)
            summary.conversations = created.count
            summary.messages = try insertMessages(for: created, transaction)
            try insertReadMarkers(for: created.map(\.id), transaction)
            return summary
        }
    }

    /// A conversation this run created, and what will be said in it.
    private struct NewConversation {
        var id: UUID
        var createdAt: Date
        var speakers: Speakers
        var lines: [String]
        var lineOffset: Int
        var messageCount: Int
        var seed: UInt64
    }

    private enum Speakers {
        /// Alternating, the admin first.
        case pair(admin: String, member: String)
        /// Drawn at random; admins speak about one time in five when members may speak too.
        case group(members: [String], admins: [String])
    }

    private var windowStart: Date { now.addingTimeInterval(-5 * 86_400) }

    private func insertPeople(_ connection: PostgresConnection) throws -> Int {
        let people = DemoDirectory.people
        return try connection.execute("""
            INSERT INTO chat.users (id, name, email, avatar_url, role, active)
            SELECT * FROM unnest(\(people.map(\.id))::text[], \(people.map(\.name))::text[],
                                 \(people.map(\.email))::text[], \(people.map(\.avatarURL))::text[],
                                 \(people.map(\.role))::text[], \(people.map(\.active))::bool[])
            ON CONFLICT (id) DO NOTHING
            """)
    }

    private func insertCircles(_ connection: PostgresConnection) throws -> Int {
        let circles = DemoDirectory.circles
        return try connection.execute("""
            INSERT INTO chat.circles (id, name, url)
            SELECT * FROM unnest(\(circles.map(\.id))::text[], \(circles.map(\.name))::text[], \(circles.map(\.url))::text[])
            ON CONFLICT (id) DO NOTHING
            """)
    }

    private func insertMemberships(_ connection: PostgresConnection) throws -> Int {
        let pairs = DemoDirectory.circles.flatMap { circle in circle.memberIDs.map { (circle.id, $0) } }
        return try connection.execute("""
            INSERT INTO chat.circle_members (circle_id, user_id)
            SELECT * FROM unnest(\(pairs.map(\.0))::text[], \(pairs.map(\.1))::text[])
            ON CONFLICT DO NOTHING
            """)
    }

    private func insertCircleChats(_ connection: PostgresConnection) throws -> [NewConversation] {
        var created: [NewConversation] = []
        for (index, circle) in DemoDirectory.circles.enumerated() {
            guard let chat = circle.chat else { continue }
            let createdAt = windowStart.addingTimeInterval(-Double(index + 1) * 3600)
            let rows = try connection.query("""
                INSERT INTO chat.conversations (kind, circle_id, custom_title, send_policy, created_by, created_at)
                VALUES ('circle', \(circle.id), \(chat.customTitle), \(chat.sendPolicy), \(DemoDirectory.admins[0]), \(createdAt))
                ON CONFLICT (circle_id) DO NOTHING
                RETURNING id
                """)
            guard let id = try rows.first?.decode("id", as: UUID.self) else { continue }
            let speakers: Speakers = chat.sendPolicy == "admins_only"
                ? .group(members: [], admins: DemoDirectory.admins)
                : .group(members: circle.memberIDs, admins: DemoDirectory.admins)
            created.append(NewConversation(
                id: id, createdAt: createdAt, speakers: speakers, lines: chat.lines,
                lineOffset: index * 7, messageCount: chat.messageCount, seed: UInt64(100 + index)))
        }
        return created
    }

    private func insertDirectChats(_ connection: PostgresConnection) throws -> [NewConversation] {
        var created: [NewConversation] = []
        for (index, (admin, member, count)) in DemoDirectory.directChats.enumerated() {
            let createdAt = windowStart.addingTimeInterval(-Double(index + 1) * 1800)
            let rows = try connection.query("""
                INSERT INTO chat.conversations (kind, direct_user_low, direct_user_high, created_by, created_at)
                VALUES ('direct', least(\(admin)::text COLLATE "C", \(member)::text COLLATE "C"),
                        greatest(\(admin)::text COLLATE "C", \(member)::text COLLATE "C"), \(admin), \(createdAt))
                ON CONFLICT (direct_user_low, direct_user_high) DO NOTHING
                RETURNING id
                """)
            guard let id = try rows.first?.decode("id", as: UUID.self) else { continue }
            created.append(NewConversation(
                id: id, createdAt: createdAt, speakers: .pair(admin: admin, member: member),
                lines: DemoScript.direct, lineOffset: (index * 6) % DemoScript.direct.count,
                messageCount: count, seed: UInt64(200 + index)))
        }
        return created
    }

    private func insertMessages(for conversations: [NewConversation], _ connection: PostgresConnection) throws -> Int {
        var ids: [UUID] = [], senders: [String] = [], bodies: [String] = [], times: [Date] = []
        for conversation in conversations {
            var generator = SplitMix64(seed: conversation.seed)
            let moments = messageTimes(count: conversation.messageCount, using: &generator)
            for (turn, moment) in moments.enumerated() {
                ids.append(conversation.id)
                senders.append(speaker(of: conversation.speakers, turn: turn, using: &generator))
                bodies.append(conversation.lines[(conversation.lineOffset + turn) % conversation.lines.count])
                times.append(moment)
            }
        }
        guard !ids.isEmpty else { return 0 }
        return try connection.execute("""
            INSERT INTO chat.messages (conversation_id, sender_id, body, created_at)
            SELECT conversation_id, sender_id, body, created_at
              FROM unnest(\(ids)::uuid[], \(senders)::text[], \(bodies)::text[], \(times)::timestamptz[])
                   AS m(conversation_id, sender_id, body, created_at)
             ORDER BY conversation_id, created_at
            """)
    }

    /// Everyone who sent has read up to their own last message; everyone who can see a new
    /// conversation has read all but its last zero to four messages.
    private func insertReadMarkers(for conversationIDs: [UUID], _ connection: PostgresConnection) throws {
        guard !conversationIDs.isEmpty else { return }
        try connection.execute("""
            INSERT INTO chat.read_markers (conversation_id, user_id, last_read_seq)
            SELECT conversation_id, sender_id, max(seq) FROM chat.messages
             WHERE conversation_id = ANY(\(conversationIDs)::uuid[]) AND kind = 'user'
             GROUP BY conversation_id, sender_id
            """)
        try connection.execute("""
            INSERT INTO chat.read_markers AS r (conversation_id, user_id, last_read_seq)
            SELECT a.conversation_id, a.user_id,
                   greatest(0, c.last_seq - abs(hashtext(a.user_id || a.conversation_id::text)) % 5)
              FROM chat.conversation_access a
              JOIN chat.conversations c ON c.id = a.conversation_id
             WHERE a.conversation_id = ANY(\(conversationIDs)::uuid[])
            ON CONFLICT (conversation_id, user_id)
            DO UPDATE SET last_read_seq = greatest(r.last_read_seq, excluded.last_read_seq)
            """)
    }

    /// `count` moments inside the five-day window, in bursts (mostly minutes apart, sometimes
    /// hours), stretched so the last one falls between ten minutes and six hours before `now`.
    private func messageTimes(count: Int, using generator: inout SplitMix64) -> [Date] {
        var offsets: [Double] = []
        var elapsed = Double.random(in: 0...43_200, using: &generator)
        for _ in 0..<count {
            offsets.append(elapsed)
            let burst = Int.random(in: 0..<10, using: &generator) < 7
            elapsed += burst ? Double.random(in: 40...900, using: &generator)
                : Double.random(in: 3_600...40_000, using: &generator)
        }
        let end = 5 * 86_400 - Double.random(in: 600...21_600, using: &generator)
        let scale = end / max(offsets.last ?? 1, 1)
        return offsets.map { windowStart.addingTimeInterval($0 * scale) }
    }

    private func speaker(of speakers: Speakers, turn: Int, using generator: inout SplitMix64) -> String {
        switch speakers {
        case .pair(let admin, let member):
            return turn.isMultiple(of: 2) ? admin : member
        case .group(let members, let admins):
            let adminSpeaks = members.isEmpty || Int.random(in: 0..<5, using: &generator) == 0
            let crowd = adminSpeaks ? admins : members
            return crowd[Int.random(in: crowd.indices, using: &generator)]
        }
    }
}
