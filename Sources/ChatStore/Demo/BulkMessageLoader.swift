import Postgres

/// Appends many synthetic messages to existing conversations fast, for the benchmark data sets
/// (`SearchBenchSeed`, `ScaleSeed`). Runs inside the caller's transaction, on a database nobody
/// else writes to meanwhile; everything it changes rolls back with that transaction.
///
/// - The rows go through `COPY` into a temporary table, `chunk` at a time, then one
///   `INSERT ... SELECT` per chunk (so neither the temporary table nor the statement's
///   transition table ever holds more than a chunk). Seqs are counted here from the
///   conversations' `last_seq` (read `FOR UPDATE` first), so no per-row trigger or window sort
///   numbers them. Message `n` of `total` is dated `total - n` seconds before the transaction
///   started: `created_at` grows with `n`, and so do `id` and each conversation's `seq`.
/// - Disabled for the load: `messages_assign_seq` (seqs are given) and `messages_after_insert`
///   (its `message.created` events are not wanted for history; its bookkeeping, `last_seq`,
///   `last_message_id` and `last_activity_at`, is done once at the end, exactly as it would
///   have left them). `messages_search_vector` and `messages_index_mentions` stay on: they fill
///   `search_vector` and `chat.message_mentions` as for any message.
/// - The foreign keys of `chat.messages` are dropped meanwhile and checked once at the end
///   (`withForeignKeysDropped`).
struct BulkMessageLoader {
    /// One message: `conversation` indexes `conversations`; `mentions` are user ids.
    struct Message {
        var conversation: Int
        var sender: String
        var body: String
        var mentions: [String] = []
    }

    /// The conversations the messages go to (UUID text).
    let conversations: [String]
    /// How many messages to load.
    let total: Int
    /// Messages per COPY and INSERT.
    var chunk = 1_000_000

    /// Loads messages `0..<total`, asking `message` for each, in order.
    func load(on connection: PostgresConnection, _ message: (Int) throws -> Message) throws {
        // For this transaction only: a load that dies loses nothing but itself; memory for the
        // sorts; the search index's pending list merged in large batches (-15% per row; its
        // rest is merged at the end, so that searches never scan a long list).
        try connection.execute("SET LOCAL synchronous_commit = off")
        try connection.execute("SET LOCAL work_mem = '256MB'")
        try connection.execute("SET LOCAL maintenance_work_mem = '512MB'")
        try connection.execute("SET LOCAL gin_pending_list_limit = '256MB'")
        let initialSeq = try lockedLastSeqs(on: connection)
        var lastSeq = initialSeq
        try connection.withForeignKeysDropped(of: ["chat.messages"]) {
            try connection.execute("""
                ALTER TABLE chat.messages DISABLE TRIGGER messages_assign_seq, DISABLE TRIGGER messages_after_insert
                """)
            try connection.execute("""
                CREATE TEMPORARY TABLE bulk_messages (
                    n bigint, conversation_id uuid, seq bigint, sender text, body text, mentions text[]) ON COMMIT DROP
                """)
            for start in stride(from: 0, to: total, by: chunk) {
                if start > 0 { try connection.execute("TRUNCATE bulk_messages") }
                _ = try connection.copyIn(unsafeSQL: "COPY bulk_messages FROM STDIN") { send in
                    for n in start..<min(start + chunk, total) {
                        let row = try message(n)
                        lastSeq[row.conversation] += 1
                        // Entity ids hold no quote or backslash: quoting each makes any id an element.
                        let mentions = "{" + row.mentions.map { "\"\($0)\"" }.joined(separator: ",") + "}"
                        try send("\(n)\t\(conversations[row.conversation])\t\(lastSeq[row.conversation])\t"
                            + "\(PostgresConnection.copyText(row.sender))\t\(PostgresConnection.copyText(row.body))\t"
                            + "\(PostgresConnection.copyText(mentions))\n")
                    }
                }
                try connection.execute("""
                    INSERT INTO chat.messages (conversation_id, seq, sender_id, body, mentions, created_at)
                    SELECT conversation_id, seq, sender, body, mentions, now() - interval '1 second' * (\(total) - n)
                      FROM bulk_messages ORDER BY n
                    """)
            }
            try connection.execute("""
                ALTER TABLE chat.messages ENABLE TRIGGER messages_assign_seq, ENABLE TRIGGER messages_after_insert
                """)
        }
        try settleConversations(from: initialSeq, to: lastSeq, on: connection)
        try connection.execute("""
            SELECT gin_clean_pending_list(i.indexrelid) FROM pg_index i JOIN pg_class x ON x.oid = i.indexrelid
              JOIN pg_am a ON a.oid = x.relam WHERE i.indrelid = 'chat.messages'::regclass AND a.amname = 'gin'
            """)
    }

    /// The conversations' `last_seq`, in `conversations` order, each row locked until commit (an
    /// unknown id counts as 0: its messages then fail the foreign key when it is added back).
    private func lockedLastSeqs(on connection: PostgresConnection) throws -> [Int64] {
        var byID: [String: Int64] = [:]
        for row in try connection.query("""
            SELECT id::text AS id, last_seq FROM chat.conversations WHERE id = ANY(\(conversations)::uuid[]) FOR UPDATE
            """) {
            byID[try row.decode("id")] = try row.decode("last_seq")
        }
        return conversations.map { byID[$0, default: 0] }
    }

    /// What `messages_after_insert` would have done for the conversations that got messages:
    /// `last_seq` and `last_message_id` name the newest (the one with the highest seq), and
    /// `last_activity_at` moves forward to its time (never back).
    private func settleConversations(from before: [Int64], to lastSeq: [Int64], on connection: PostgresConnection) throws {
        let moved = lastSeq.indices.filter { lastSeq[$0] != before[$0] }
        try connection.execute("""
            UPDATE chat.conversations c
               SET last_seq = m.seq, last_message_id = m.id, last_activity_at = greatest(c.last_activity_at, m.created_at)
              FROM unnest(\(moved.map { conversations[$0] })::uuid[], \(moved.map { lastSeq[$0] })::bigint[]) AS x (id, last_seq)
              JOIN chat.messages m ON m.conversation_id = x.id AND m.seq = x.last_seq
             WHERE c.id = x.id
            """)
    }
}
