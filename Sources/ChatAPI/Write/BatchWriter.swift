import Foundation
import HTTP
import Models
import Postgres

/// Writes one batch of sends in ONE transaction (the group commit), on a connection the caller
/// owns, in two statements:
///
/// 1. `inspect`: lock the batch's conversations in id order (`FOR NO KEY UPDATE`: message
///    inserts' foreign key checks are not blocked), `SKIP LOCKED` unless `waitForLocks`, so a
///    conversation another writer holds (a DBA's open transaction, another replica) comes back
///    as `.busy` instead of stalling everyone else's messages; and, in the same statement, each
///    sender's current role and membership (404, 403 `send_forbidden`, 401 for a sender
///    deactivated meanwhile) and any message already stored under its `client_id` (a 200 with
///    that message). Repeats of a `client_id` inside the batch become one row.
/// 2. `insertMessages`: consecutive seqs after each conversation's `last_seq`; one statement
///    advances the counters, inserts every message (`unnest` arrays, explicit seq) and moves
///    each sender's read marker (never back). The schema's triggers write the events; the
///    deferred trigger numbers them and sends ONE `NOTIFY` at commit.
///
/// A failing statement fails the whole transaction; the committer then retries the rows one
/// by one (`writeEach`), so only the bad row fails.
enum BatchWriter {
    static func write(_ requests: [SendRequest], waitForLocks: Bool, on connection: PostgresConnection) throws -> [SendRowResult] {
        try connection.withTransaction { connection in
            if waitForLocks { try connection.execute("SET LOCAL lock_timeout = '5s'") }
            var results = [SendRowResult?](repeating: nil, count: requests.count)
            var inspection = try inspect(requests, waitForLocks: waitForLocks, results: &results, on: connection)
            inspection.mentions = try resolveMentions(requests, results: &results, on: connection)
            try claimAttachments(requests, results: &results, on: connection)
            try insertMessages(requests, inspection, results: &results, on: connection)
            for (index, first) in inspection.repeats {
                if case .done(let outcome)? = results[first] { results[index] = .done(.replayed(outcome.message)) } else { results[index] = results[first] }
            }
            return results.map { $0 ?? .failed(.internalError) }
        }
    }

    /// Each request in its own transaction; a row's failure becomes its own error.
    static func writeEach(_ requests: [SendRequest], on connection: PostgresConnection, logger: Logger) -> [SendRowResult] {
        requests.map { request in
            var attempt = 0
            while true {
                attempt += 1
                do {
                    return try write([request], waitForLocks: false, on: connection)[0]
                } catch let error as PostgresError where (error.isUniqueViolation || error.isSerializationFailure) && attempt < 3 {
                    continue  // another writer stored the same client_id or won a race: look again
                } catch {
                    return .failed(rowFailure(error, logger: logger))
                }
            }
        }
    }

    /// Why a row failed, from the error that failed its transaction.
    static func rowFailure(_ error: any Error, logger: Logger) -> SendFailure {
        guard let failure = error as? PostgresError else {
            logger.error("send failed", ["error": .string(String(describing: error))])
            return .internalError
        }
        if failure.isUnavailability { return .databaseUnavailable }
        if failure.isForeignKeyViolation { return .conversationNotFound }
        logger.error("send failed", ["error": .string(failure.description)])
        if failure.isCheckViolation { return .refusedByDatabase }
        return .internalError
    }

    // MARK: - Steps

    /// What `inspect` learned: the locked conversations' `last_seq`, the senders as messages
    /// show them, and the in-batch repeats of a `client_id` (repeat index -> first index).
    struct Inspection {
        var lastSeq: [UUID: Int64] = [:]
        var senders: [String: Sender] = [:]
        var repeats: [(Int, Int)] = []
        /// The quoted messages of the rows that reply, by row index.
        var quotes: [Int: QuotedMessage] = [:]
        /// The mentioned users of the rows that mention, by row index.
        var mentions: [Int: [UserRef]] = [:]
    }

    /// Locks, checks permissions and resolves `client_id`s in one statement; every row whose
    /// fate is decided here gets its result. The statement is planned for every batch (custom
    /// plans: a plan cached before the tables had statistics would stay wrong), so it stays
    /// cheap to plan: the JSON of a replayed message and of a quoted one, whose inlined
    /// functions cost about a millisecond of planning, is read by a second statement, only for
    /// the batches that have such rows (`renderParts`).
    private static func inspect(_ requests: [SendRequest], waitForLocks: Bool, results: inout [SendRowResult?],
                                on connection: PostgresConnection) throws -> Inspection {
        let ids = Array(Set(requests.map(\.conversationID))).sorted { $0.uuidString < $1.uuidString }
        let rows = try connection.query("""
            WITH locked AS MATERIALIZED (
                SELECT id, kind, send_policy, last_seq
                  FROM chat.conversations WHERE id = ANY(\(ids)::uuid[])
                 ORDER BY id FOR NO KEY UPDATE \(unsafeSQL: waitForLocks ? "" : "SKIP LOCKED"))
            SELECT b.i, b.sender, l.id IS NOT NULL AS locked, l.last_seq, l.kind, l.send_policy,
                   u.name, u.avatar_url, u.role, u.active,
                   EXISTS (SELECT 1 FROM chat.visible_conversations(b.sender, u.role = 'admin') v WHERE v.id = l.id) AS visible,
                   m.id AS stored_id,
                   b.reply_to IS NOT NULL AS replies, q.kind = 'user' AND q.deleted_at IS NULL AS quotable
              FROM unnest(\(requests.indices.map { Int64($0) })::bigint[], \(requests.map(\.senderID))::text[],
                          \(requests.map(\.conversationID))::uuid[], \(requests.map(\.clientID))::text[],
                          \(requests.map(\.replyTo))::bigint[]) AS b(i, sender, conversation, client_id, reply_to)
              LEFT JOIN locked l ON l.id = b.conversation
              LEFT JOIN chat.users u ON u.id = b.sender
              LEFT JOIN chat.messages m ON m.conversation_id = b.conversation AND m.sender_id = b.sender AND m.client_id = b.client_id
              LEFT JOIN chat.messages q ON q.id = b.reply_to AND q.conversation_id = b.conversation
            """)
        var inspection = Inspection()
        var unlocked: [Int] = []
        var replayed: [Int: Int64] = [:], quoted: [Int: Int64] = [:]
        for row in rows {
            let index = Int(try row.decode("i", as: Int64.self))
            guard try row.decode("locked", as: Bool.self) else {
                unlocked.append(index)
                continue
            }
            let request = requests[index]
            inspection.lastSeq[request.conversationID] = try row.decode("last_seq")
            guard let active = try row.decode("active", as: Bool?.self), active else {
                results[index] = .failed(.senderInactive)
                continue
            }
            guard try row.decode("visible", as: Bool.self) else {
                results[index] = .failed(.conversationNotFound)
                continue
            }
            let role = try Role(databaseText: try row.decode("role"))
            let isDirect = try row.decode("kind", as: String.self) == ConversationKind.direct.rawValue
            let policy = try row.decode("send_policy", as: String.self)
            // The rule of ConversationSnapshot.canSend: admins anywhere they see, members unless admins_only.
            guard role == .admin || isDirect || policy == SendPolicy.allMembers.rawValue else {
                results[index] = .failed(.sendForbidden)
                continue
            }
            let sender = Sender(id: request.senderID, name: try row.decode("name"), avatarURL: try row.decode("avatar_url"))
            inspection.senders[request.senderID] = sender
            if let stored = try row.decode("stored_id", as: Int64?.self) {
                replayed[index] = stored
                continue
            }
            if try row.decode("replies", as: Bool.self) {
                guard try row.decode("quotable", as: Bool?.self) == true, let quote = request.replyTo else {
                    results[index] = .failed(.replyNotQuotable)
                    continue
                }
                quoted[index] = quote
            }
        }
        try renderParts(replayed: replayed, quoted: quoted, requests, into: &inspection, results: &results, on: connection)
        try classifyUnlocked(unlocked, requests, results: &results, on: connection)
        inspection.repeats = repeatedClientIDs(requests, results: &results)
        return inspection
    }

    /// The messages already stored under a repeated `client_id` (answered as they are now, as
    /// their sender sees them) and the messages quoted by replies, as the API shows them: one
    /// statement, only when the batch has any.
    private static func renderParts(replayed: [Int: Int64], quoted: [Int: Int64], _ requests: [SendRequest],
                                    into inspection: inout Inspection, results: inout [SendRowResult?],
                                    on connection: PostgresConnection) throws {
        let indices = Array(Set(replayed.keys).union(quoted.keys)).sorted()
        guard !indices.isEmpty else { return }
        let rows = try connection.query("""
            SELECT x.i, j.message::text AS message, q.quote::text AS quote
              FROM unnest(\(indices.map { Int64($0) })::bigint[], \(indices.map { replayed[$0] })::bigint[],
                          \(indices.map { requests[$0].senderID })::text[], \(indices.map { quoted[$0] })::bigint[])
                   AS x(i, stored_id, viewer, quote_id)
              LEFT JOIN LATERAL chat.message_json_of(x.stored_id, x.viewer) AS j ON true
              LEFT JOIN LATERAL chat.quote_of(x.quote_id) AS q ON true
            """)
        for row in rows {
            let index = Int(try row.decode("i", as: Int64.self))
            if replayed[index] != nil {
                results[index] = .done(.replayed(try Message(databaseJSON: try row.decode("message"))))
            } else {
                inspection.quotes[index] = try QuotedMessage(databaseJSON: try row.decode("quote"))
            }
        }
    }

    /// Rows whose conversation was not locked: missing (404) or held by another writer (busy).
    private static func classifyUnlocked(_ indices: [Int], _ requests: [SendRequest], results: inout [SendRowResult?],
                                         on connection: PostgresConnection) throws {
        guard !indices.isEmpty else { return }
        let missing = Array(Set(indices.map { requests[$0].conversationID }))
        let existing = Set(try connection.query("SELECT id FROM chat.conversations WHERE id = ANY(\(missing)::uuid[])")
            .map { try $0.decode("id", as: UUID.self) })
        for index in indices {
            results[index] = existing.contains(requests[index].conversationID) ? .busy : .failed(.conversationNotFound)
        }
    }

    /// Later rows repeating an earlier row's (conversation, sender, `client_id`) are answered
    /// with that row's message once it is stored; they are marked (`.busy`, a placeholder the
    /// insert skips) and returned as (repeat index -> first index).
    private static func repeatedClientIDs(_ requests: [SendRequest], results: inout [SendRowResult?]) -> [(Int, Int)] {
        var firstIndex: [IdempotencyKey: Int] = [:]
        var repeats: [(Int, Int)] = []
        for index in requests.indices where results[index] == nil && requests[index].clientID != nil {
            let key = IdempotencyKey(requests[index])
            if let first = firstIndex[key] {
                repeats.append((index, first))
                results[index] = .busy
            } else {
                firstIndex[key] = index
            }
        }
        return repeats
    }

    /// Allocates seqs and writes the open rows in one statement; fills their results.
    private static func insertMessages(_ requests: [SendRequest], _ inspection: Inspection,
                                       results: inout [SendRowResult?], on connection: PostgresConnection) throws {
        let lastSeq = inspection.lastSeq
        let rows = requests.indices.filter { results[$0] == nil }
        guard !rows.isEmpty else { return }
        var counters = lastSeq
        var seqs: [Int64] = []
        var markers: [MarkerKey: Int64] = [:]
        for index in rows {
            let request = requests[index]
            let seq = (counters[request.conversationID] ?? 0) + 1
            counters[request.conversationID] = seq
            seqs.append(seq)
            markers[MarkerKey(conversation: request.conversationID, user: request.senderID)] = seq
        }
        let attachments = try linkAttachments(rows.map { requests[$0] }, seqs: seqs, on: connection)
        let advanced = counters.filter { lastSeq[$0.key] != $0.value }.sorted { $0.key.uuidString < $1.key.uuidString }
        let markerKeys = markers.keys.sorted { ($0.conversation.uuidString, $0.user) < ($1.conversation.uuidString, $1.user) }
        let inserted = try connection.query("""
            WITH counters AS (
                UPDATE chat.conversations c SET last_seq = n.last_seq
                  FROM unnest(\(advanced.map(\.key))::uuid[], \(advanced.map(\.value))::bigint[]) AS n(id, last_seq)
                 WHERE c.id = n.id
            ), markers AS (
                INSERT INTO chat.read_markers AS r (conversation_id, user_id, last_read_seq)
                SELECT * FROM unnest(\(markerKeys.map(\.conversation))::uuid[], \(markerKeys.map(\.user))::text[],
                                     \(markerKeys.map { markers[$0]! })::bigint[])
                ON CONFLICT (conversation_id, user_id) DO UPDATE
                   SET last_read_seq = EXCLUDED.last_read_seq, updated_at = now()
                 WHERE r.last_read_seq < EXCLUDED.last_read_seq
            )
            INSERT INTO chat.messages (conversation_id, seq, sender_id, body, client_id, reply_to, mentions)
            SELECT b.conversation_id, b.seq, b.sender_id, b.body, b.client_id, b.reply_to, string_to_array(b.mentions, ' ')
              FROM unnest(\(rows.map { requests[$0].conversationID })::uuid[], \(seqs)::bigint[],
                          \(rows.map { requests[$0].senderID })::text[], \(rows.map { requests[$0].body })::text[],
                          \(rows.map { requests[$0].clientID })::text[], \(rows.map { requests[$0].replyTo })::bigint[],
                          \(rows.map { mentionsColumn(requests[$0]) })::text[])
                   AS b(conversation_id, seq, sender_id, body, client_id, reply_to, mentions)
            RETURNING id, conversation_id, seq, chat.rfc3339(created_at) AS created_at
            """)
        // RETURNING promises no order: match rows back by (conversation, seq), unique in the batch.
        var position: [SeqKey: Int] = [:]
        for (offset, index) in rows.enumerated() {
            position[SeqKey(conversation: requests[index].conversationID, seq: seqs[offset])] = index
        }
        for row in inserted {
            let key = SeqKey(conversation: try row.decode("conversation_id"), seq: try row.decode("seq"))
            guard let index = position.removeValue(forKey: key), let sender = inspection.senders[requests[index].senderID] else {
                throw PostgresError(.server, "an inserted message does not match the batch")
            }
            let request = requests[index]
            results[index] = .done(.created(Message(
                id: try row.decode("id"), conversationID: request.conversationID.uuidString.lowercased(), seq: key.seq,
                sender: sender, body: request.body, clientID: request.clientID, createdAt: try row.decode("created_at"),
                replyTo: inspection.quotes[index], mentions: inspection.mentions[index] ?? [], attachments: attachments[key] ?? [])))
        }
        guard position.isEmpty else { throw PostgresError(.server, "\(position.count) messages of the batch were not inserted") }
    }
}

/// A message's place: conversation and seq, unique.
struct SeqKey: Hashable {
    var conversation: UUID
    var seq: Int64
}

/// A message's idempotency key: conversation, sender and `client_id`.
struct IdempotencyKey: Hashable {
    var conversation: UUID
    var sender: String
    var clientID: String

    init(_ request: SendRequest) {
        conversation = request.conversationID
        sender = request.senderID
        clientID = request.clientID ?? ""
    }
}

/// A read marker's key: one per conversation and user.
struct MarkerKey: Hashable {
    var conversation: UUID
    var user: String
}

extension SendOutcome {
    var message: Message {
        switch self {
        case .created(let message), .replayed(let message): message
        }
    }
}
