import Foundation
import Models
import Postgres

/// `attachments` on send (API.md, "Attachments"), inside the batch's transaction.
extension BatchWriter {
    /// Rows still open that list uploads: each must be the sender's own, complete and not
    /// attached, else the row fails (422 `attachments`). The uploads are locked until the
    /// commit, so two batches can never attach one upload twice; within a batch the first
    /// row that lists an upload gets it.
    static func claimAttachments(_ requests: [SendRequest], results: inout [SendRowResult?],
                                 on connection: PostgresConnection) throws {
        let rows = requests.indices.filter { results[$0] == nil && !requests[$0].attachments.isEmpty }
        guard !rows.isEmpty else { return }
        let ids = Array(Set(rows.flatMap { requests[$0].attachments })).sorted { $0.uuidString < $1.uuidString }
        var owners: [UUID: String] = [:]
        for row in try connection.query("""
            SELECT id, uploader_id FROM chat.uploads
             WHERE id = ANY(\(ids)::uuid[]) AND completed_at IS NOT NULL AND message_seq IS NULL
             ORDER BY id FOR UPDATE
            """) {
            owners[try row.decode("id")] = try row.decode("uploader_id")
        }
        var claimed = Set<UUID>()
        for index in rows {
            let request = requests[index]
            guard request.attachments.allSatisfy({ owners[$0] == request.senderID && !claimed.contains($0) }) else {
                results[index] = .failed(.attachmentsNotAvailable)
                continue
            }
            claimed.formUnion(request.attachments)
        }
    }

    /// Links the claimed uploads to the (conversation, seq) each row is about to be inserted
    /// at, before the insert, so the insert trigger's `message.created` payload (and every
    /// later `chat.message_json`) already carries them; the foreign key to the message is
    /// checked at commit. Returns each message's attachments in the order sent, without `url`.
    static func linkAttachments(_ rows: [SendRequest], seqs: [Int64], on connection: PostgresConnection) throws -> [SeqKey: [Attachment]] {
        var ids: [UUID] = [], conversations: [UUID] = [], messageSeqs: [Int64] = [], positions: [Int64] = []
        for (request, seq) in zip(rows, seqs) {
            for (position, id) in request.attachments.enumerated() {
                ids.append(id)
                conversations.append(request.conversationID)
                messageSeqs.append(seq)
                positions.append(Int64(position))
            }
        }
        guard !ids.isEmpty else { return [:] }
        var linked: [SeqKey: [(Int, Attachment)]] = [:]
        for row in try connection.query("""
            UPDATE chat.uploads u
               SET conversation_id = a.conversation, message_seq = a.seq, position = a.position
              FROM unnest(\(ids)::uuid[], \(conversations)::uuid[], \(messageSeqs)::bigint[], \(positions)::smallint[])
                   AS a(id, conversation, seq, position)
             WHERE u.id = a.id
            RETURNING u.id, u.conversation_id, u.message_seq, u.position, u.filename, u.content_type, u.size, u.width, u.height
            """) {
            let key = SeqKey(conversation: try row.decode("conversation_id"), seq: try row.decode("message_seq"))
            let attachment = Attachment(
                id: (try row.decode("id", as: UUID.self)).uuidString.lowercased(), filename: try row.decode("filename"),
                contentType: try row.decode("content_type"), size: try row.decode("size"),
                width: try row.decode("width"), height: try row.decode("height"))
            linked[key, default: []].append((Int(try row.decode("position", as: Int64.self)), attachment))
        }
        guard linked.values.reduce(0, { $0 + $1.count }) == ids.count else {
            throw PostgresError(.server, "claimed uploads could not be attached")
        }
        return linked.mapValues { $0.sorted { $0.0 < $1.0 }.map(\.1) }
    }
}
