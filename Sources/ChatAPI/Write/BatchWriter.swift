import Foundation
import HTTP
import Models
import Postgres

/// Writes one batch of sends in ONE transaction (the group commit), on a connection the caller
/// owns:
///
/// 1. Lock the batch's conversations in id order (`FOR NO KEY UPDATE`: message inserts' foreign
///    key checks are not blocked), `SKIP LOCKED` unless `waitForLocks`: a conversation another
///    writer holds (a DBA's open transaction, another replica) is handed back as `.busy` instead
///    of stalling everyone else's messages.
/// 2. Check each sender against the live membership and the send policy (404, 403
///    `send_forbidden`, 401 for a deactivated sender), under the lock.
/// 3. Resolve `client_id`s: already stored, or repeated inside the batch, means one row and a
///    200 with the first message.
/// 4. Give the new rows consecutive seqs after each conversation's `last_seq`, then one
///    statement advances the counters, inserts every message (`unnest` arrays, explicit seq)
///    and moves each sender's read marker (never back). The schema's triggers write the
///    events; the deferred trigger numbers them and sends ONE `NOTIFY` at commit.
///
/// A failing statement fails the whole transaction; the committer then retries the rows one
/// by one (`writeEach`), so only the bad row fails.
enum BatchWriter {
    static func write(_ requests: [SendRequest], waitForLocks: Bool, on connection: PostgresConnection) throws -> [SendRowResult] {
        try connection.withTransaction { connection in
            if waitForLocks { try connection.execute("SET LOCAL lock_timeout = '5s'") }
            var results = [SendRowResult?](repeating: nil, count: requests.count)
            let lastSeq = try lockConversations(requests, waitForLocks: waitForLocks, results: &results, on: connection)
            let senders = try checkPermissions(requests, results: &results, on: connection)
            let firstOfKey = try resolveClientIDs(requests, results: &results, on: connection)
            try insertMessages(requests, lastSeq: lastSeq, senders: senders, results: &results, on: connection)
            for (index, first) in firstOfKey {
                if case .done(let outcome)? = results[first] { results[index] = .done(.replayed(outcome.message)) } else { results[index] = results[first] }
            }
            return results.map { $0 ?? .failed(.internalError()) }
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

    /// What a client sees when its row alone failed.
    static func rowFailure(_ error: any Error, logger: Logger) -> APIError {
        if let error = error as? APIError { return error }
        guard let failure = error as? PostgresError else {
            logger.error("send failed", ["error": .string(String(describing: error))])
            return .internalError()
        }
        if failure.isUnavailability { return .unavailable() }
        if failure.isForeignKeyViolation { return .conversationNotFound }
        logger.error("send failed", ["error": .string(failure.description)])
        if failure.isCheckViolation { return .invalid("body", "the message was refused by a database rule") }
        return .internalError()
    }

    // MARK: - Steps

    /// Locks the conversations and returns their `last_seq`. Rows of a missing conversation get
    /// 404; rows of one locked elsewhere get `.busy`.
    private static func lockConversations(_ requests: [SendRequest], waitForLocks: Bool, results: inout [SendRowResult?],
                                          on connection: PostgresConnection) throws -> [UUID: Int64] {
        let ids = Array(Set(requests.map(\.conversationID))).sorted { $0.uuidString < $1.uuidString }
        let rows = try connection.query(SQLQuery("""
            SELECT id, last_seq FROM chat.conversations WHERE id = ANY($1::uuid[])
             ORDER BY id FOR NO KEY UPDATE \(waitForLocks ? "" : "SKIP LOCKED")
            """, [ids]))
        var lastSeq: [UUID: Int64] = [:]
        for row in rows { lastSeq[try row.decode("id")] = try row.decode("last_seq") }
        let missing = ids.filter { lastSeq[$0] == nil }
        guard !missing.isEmpty else { return lastSeq }
        let existing = Set(try connection.query("SELECT id FROM chat.conversations WHERE id = ANY(\(missing)::uuid[])")
            .map { try $0.decode("id", as: UUID.self) })
        for (index, request) in requests.enumerated() where lastSeq[request.conversationID] == nil {
            results[index] = existing.contains(request.conversationID) ? .busy : .failed(.conversationNotFound)
        }
        return lastSeq
    }

    /// Who may send where (API.md): the conversation must be visible to the sender (404 if not)
    /// and the policy must allow them (403 `send_forbidden`). Returns the senders' names.
    private static func checkPermissions(_ requests: [SendRequest], results: inout [SendRowResult?],
                                         on connection: PostgresConnection) throws -> [String: Sender] {
        let open = requests.indices.filter { results[$0] == nil }
        guard !open.isEmpty else { return [:] }
        let rows = try connection.query(SQLQuery("""
            SELECT b.i, b.sender, u.name, u.avatar_url, u.role, u.active, c.kind, c.send_policy,
                   CASE c.kind WHEN 'direct' THEN b.sender IN (c.direct_user_low, c.direct_user_high)
                        ELSE u.role = 'admin' OR EXISTS (SELECT 1 FROM chat.circle_members cm
                                                          WHERE cm.circle_id = c.circle_id AND cm.user_id = b.sender) END AS visible
              FROM unnest($1::bigint[], $2::text[], $3::uuid[]) AS b(i, sender, conversation)
              JOIN chat.conversations c ON c.id = b.conversation
              LEFT JOIN chat.users u ON u.id = b.sender
            """, [open.map { Int64($0) }, open.map { requests[$0].senderID }, open.map { requests[$0].conversationID }]))
        var senders: [String: Sender] = [:]
        for row in rows {
            let index = Int(try row.decode("i", as: Int64.self))
            guard let active = try row.decode("active", as: Bool?.self), active else {
                results[index] = .failed(.unauthorized("this user is inactive"))
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
                results[index] = .failed(.sendForbidden())
                continue
            }
            let id: String = try row.decode("sender")
            senders[id] = Sender(id: id, name: try row.decode("name"), avatarURL: try row.decode("avatar_url"))
        }
        for index in open where results[index] == nil && senders[requests[index].senderID] == nil {
            results[index] = .failed(.conversationNotFound)  // the conversation vanished between the steps
        }
        return senders
    }

    /// Rows whose `client_id` is already stored become replays of the stored message; repeats
    /// inside the batch are returned as (repeat index -> first index), to be answered with the
    /// first one's message once it is inserted.
    private static func resolveClientIDs(_ requests: [SendRequest], results: inout [SendRowResult?],
                                         on connection: PostgresConnection) throws -> [(Int, Int)] {
        let keyed = requests.indices.filter { results[$0] == nil && requests[$0].clientID != nil }
        guard !keyed.isEmpty else { return [] }
        let rows = try connection.query(SQLQuery("""
            SELECT \(Columns.message)
              FROM unnest($1::uuid[], $2::text[], $3::text[]) AS k(conversation, sender, client_id)
              JOIN chat.messages m ON m.conversation_id = k.conversation AND m.sender_id = k.sender AND m.client_id = k.client_id
              JOIN chat.users s ON s.id = m.sender_id
            """, [keyed.map { requests[$0].conversationID }, keyed.map { requests[$0].senderID }, keyed.map { requests[$0].clientID }]))
        var stored: [IdempotencyKey: Message] = [:]
        for row in rows {
            let message = try Message(row: row)
            stored[IdempotencyKey(conversation: message.conversationID, sender: message.sender.id, clientID: message.clientID ?? "")] = message
        }
        var firstIndex: [IdempotencyKey: Int] = [:]
        var repeats: [(Int, Int)] = []
        for index in keyed {
            let key = IdempotencyKey(requests[index])
            if let message = stored[key] {
                results[index] = .done(.replayed(message))
            } else if let first = firstIndex[key] {
                repeats.append((index, first))
                results[index] = .busy  // placeholder: answered from the first row after the insert
            } else {
                firstIndex[key] = index
            }
        }
        return repeats
    }

    /// Allocates seqs and writes the open rows in one statement; fills their results.
    private static func insertMessages(_ requests: [SendRequest], lastSeq: [UUID: Int64], senders: [String: Sender],
                                       results: inout [SendRowResult?], on connection: PostgresConnection) throws {
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
        let advanced = counters.filter { lastSeq[$0.key] != $0.value }.sorted { $0.key.uuidString < $1.key.uuidString }
        let markerKeys = markers.keys.sorted { ($0.conversation.uuidString, $0.user) < ($1.conversation.uuidString, $1.user) }
        let inserted = try connection.query(SQLQuery("""
            WITH counters AS (
                UPDATE chat.conversations c SET last_seq = n.last_seq
                  FROM unnest($1::uuid[], $2::bigint[]) AS n(id, last_seq)
                 WHERE c.id = n.id
            ), markers AS (
                INSERT INTO chat.read_markers AS r (conversation_id, user_id, last_read_seq)
                SELECT * FROM unnest($3::uuid[], $4::text[], $5::bigint[])
                ON CONFLICT (conversation_id, user_id) DO UPDATE
                   SET last_read_seq = EXCLUDED.last_read_seq, updated_at = now()
                 WHERE r.last_read_seq < EXCLUDED.last_read_seq
            )
            INSERT INTO chat.messages (conversation_id, seq, sender_id, body, client_id)
            SELECT * FROM unnest($6::uuid[], $7::bigint[], $8::text[], $9::text[], $10::text[])
            RETURNING id, conversation_id, seq, chat.rfc3339(created_at) AS created_at
            """, [
                advanced.map(\.key), advanced.map(\.value),
                markerKeys.map(\.conversation), markerKeys.map(\.user), markerKeys.map { markers[$0]! },
                rows.map { requests[$0].conversationID }, seqs, rows.map { requests[$0].senderID },
                rows.map { requests[$0].body }, rows.map { requests[$0].clientID },
            ]))
        // RETURNING promises no order: match rows back by (conversation, seq), unique in the batch.
        var position: [SeqKey: Int] = [:]
        for (offset, index) in rows.enumerated() {
            position[SeqKey(conversation: requests[index].conversationID, seq: seqs[offset])] = index
        }
        for row in inserted {
            let key = SeqKey(conversation: try row.decode("conversation_id"), seq: try row.decode("seq"))
            guard let index = position.removeValue(forKey: key), let sender = senders[requests[index].senderID] else {
                throw PostgresError(.server, "an inserted message does not match the batch")
            }
            let request = requests[index]
            results[index] = .done(.created(Message(
                id: try row.decode("id"), conversationID: request.conversationID.uuidString.lowercased(), seq: key.seq,
                sender: sender, body: request.body, clientID: request.clientID, createdAt: try row.decode("created_at"))))
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
    var conversation: String
    var sender: String
    var clientID: String

    init(conversation: String, sender: String, clientID: String) {
        self.conversation = conversation
        self.sender = sender
        self.clientID = clientID
    }

    init(_ request: SendRequest) {
        self.init(conversation: request.conversationID.uuidString.lowercased(), sender: request.senderID, clientID: request.clientID ?? "")
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
