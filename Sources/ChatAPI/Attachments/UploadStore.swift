import ChatStore
import Foundation
import HTTP
import Models
import Postgres

/// The bytes and metadata of uploads in PostgreSQL (sql/008_attachments.sql). Every call is
/// one short statement on a pooled connection, so a slow client never holds a connection
/// between pieces; an upload that breaks off is deleted (or, after a crash, pruned).
struct UploadStore: Sendable {
    /// Bytes per `chat.upload_chunks` row.
    static let chunkSize = 256 << 10

    let database: Database

    /// What a download needs to know of a stored file.
    struct StoredFile: Sendable {
        var filename: String
        var type: FileType
        var size: Int64
        var sha256: [UInt8]
    }

    /// The facts of a complete upload.
    struct Completion: Sendable {
        var size: Int64
        var sha256: [UInt8]
        var type: FileType
        var dimensions: (width: Int, height: Int)?
    }

    func begin(uploader: String, filename: String) async throws -> UUID {
        try await database.run { connection in
            guard let id = try connection.query("""
                INSERT INTO chat.uploads (uploader_id, filename) VALUES (\(uploader), \(filename)) RETURNING id
                """).first?.decode("id", as: UUID.self) else { throw APIError.internalError() }
            return id
        }
    }

    func append(_ bytes: [UInt8], index: Int, to upload: UUID) async throws {
        try await database.run { connection in
            try connection.execute("""
                INSERT INTO chat.upload_chunks (upload_id, index, bytes) VALUES (\(upload), \(index), \(Data(bytes)))
                """)
        }
    }

    /// Marks the upload complete; returns its API form (`{"id", "filename", "content_type",
    /// "size", "sha256", "width"?, "height"?}`).
    func complete(_ upload: UUID, _ facts: Completion) async throws -> UploadedFile {
        try await database.run { connection in
            guard let row = try connection.query("""
                UPDATE chat.uploads
                   SET size = \(facts.size), sha256 = \(Data(facts.sha256)), content_type = \(facts.type.contentType),
                       width = \(facts.dimensions?.width), height = \(facts.dimensions?.height), completed_at = now()
                 WHERE id = \(upload)
                RETURNING filename
                """).first else { throw APIError.internalError() }
            return UploadedFile(id: upload.uuidString.lowercased(), filename: try row.decode("filename"),
                                contentType: facts.type.contentType, size: facts.size, sha256: SHA256.hex(facts.sha256),
                                width: facts.dimensions?.width, height: facts.dimensions?.height)
        }
    }

    /// Removes an upload that did not complete (its chunks go with it).
    func discard(_ upload: UUID) async {
        _ = try? await database.run { connection in try connection.execute("DELETE FROM chat.uploads WHERE id = \(upload)") }
    }

    /// A complete upload that a message carries, or nil (unknown, unattached, deleted with its message).
    func attachedFile(_ id: UUID) async throws -> StoredFile? {
        try await database.run { connection in
            guard let row = try connection.query("""
                SELECT filename, content_type, size, sha256 FROM chat.uploads
                 WHERE id = \(id) AND message_seq IS NOT NULL
                """).first else { return nil }
            return StoredFile(filename: try row.decode("filename"), type: FileType(contentType: try row.decode("content_type")),
                              size: try row.decode("size"), sha256: Array(try row.decode("sha256", as: Data.self)))
        }
    }

    /// Chunk `index` of an upload (nil when it is gone: deleted meanwhile).
    func chunk(_ index: Int, of upload: UUID) async throws -> [UInt8]? {
        try await database.run { connection in
            try connection.binaryValue("SELECT bytes FROM chat.upload_chunks WHERE upload_id = \(upload) AND index = \(index)")
        }
    }
}

/// The answer to an upload: `{"id", "filename", "content_type", "size", "sha256", "width"?, "height"?}`.
struct UploadedFile: Encodable, Sendable {
    var id: String
    var filename: String
    var contentType: String
    var size: Int64
    var sha256: String
    var width: Int?
    var height: Int?

    enum CodingKeys: String, CodingKey { case id, filename, contentType = "content_type", size, sha256, width, height }
}
