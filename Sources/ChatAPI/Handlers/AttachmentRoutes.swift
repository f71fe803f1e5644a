import ChatStore
import Foundation
import HTTP
import Models

/// Uploads and downloads (API.md, "Attachments"). Bodies stream both ways in 256 KiB pieces
/// between the socket and `chat.upload_chunks`: neither an upload nor a download is ever
/// whole in memory. Downloads are sent from the disk cache (`AttachmentCache`) when it has,
/// or can take, the file.
struct AttachmentRoutes: Sendable {
    let context: APIContext

    func register(on router: Router) {
        router.add(.POST, "/v1/uploads", bodyLimit: context.uploads.maxBytes, streamedBody: true, postUpload)
        router.add(.GET, "/v1/attachments/{id}", getAttachment)
    }

    /// 201 `{"id", "filename", "content_type", "size", "sha256", "width"?, "height"?}`.
    @Sendable func postUpload(_ request: HTTPRequest) async throws -> HTTPResponse {
        let session = try await context.caller(request).requireUser()
        guard let name = request.query["filename"], !name.isEmpty else {
            throw APIError.badRequest("the query parameter \"filename\" is required")
        }
        try context.uploads.rateLimiter.take(for: session.user.id)
        try context.uploads.gate.enter()
        defer { context.uploads.gate.release() }
        guard let body = request.bodyStream else { throw APIError.internalError() }
        let store = context.uploads.store
        let upload = try await store.begin(uploader: session.user.id, filename: AttachmentFilename.sanitized(name))
        do {
            var writer = ChunkWriter(upload: upload, store: store)
            while let piece = try await body.next() { try await writer.add(piece) }
            guard let facts = try await writer.finish() else { throw APIError.invalid("body", "the file is empty") }
            return .apiJSON(201, try await store.complete(upload, facts))
        } catch {
            await store.discard(upload)
            throw error
        }
    }

    /// The bytes, with the contract's safety headers; `Range` (206/416) and `If-None-Match` (304).
    @Sendable func getAttachment(_ request: HTTPRequest) async throws -> HTTPResponse {
        let idText = request.pathParameters["id"] ?? ""
        guard context.uploads.links.verify(id: idText, exp: request.query["exp"], sig: request.query["sig"]) else {
            throw APIError.forbidden("this link is expired or not valid")
        }
        guard let id = UUID(uuidString: idText), let file = try await context.uploads.store.attachedFile(id) else {
            throw APIError.notFound("attachment not found")
        }
        var headers = Self.headers(for: file)
        if let tags = request.headers["If-None-Match"], Self.matches(tags, headers["ETag"]!) {
            return HTTPResponse(status: 304, headers: headers)
        }
        headers.set("Accept-Ranges", "bytes")
        let range: ClosedRange<Int64>
        var status = 200
        switch ByteRange.resolve(request.headers["Range"], size: file.size) {
        case .whole:
            range = 0...(file.size - 1)
        case .partial(let part):
            range = part
            status = 206
            headers.set("Content-Range", "bytes \(part.lowerBound)-\(part.upperBound)/\(file.size)")
        case .unsatisfiable:
            var refusal = APIError(status: 416, code: "range_not_satisfiable", message: "the range starts past the end of the file").response()
            refusal.headers.set("Content-Range", "bytes */\(file.size)")
            return refusal
        }
        let store = context.uploads.store
        if let region = await cachedRegion(of: file, id: id, range: range) {
            return HTTPResponse(status: status, headers: headers, body: .file(region))
        }
        return HTTPResponse(status: status, headers: headers, body: .streamed(length: Int(range.count)) { writer in
            await Self.copy(range, of: id, from: store, to: writer)
        })
    }

    /// `range` of the file from the disk cache, written there first on a miss; nil when the
    /// cache is off or cannot take it (the bytes then stream from the database).
    private func cachedRegion(of file: UploadStore.StoredFile, id: UUID, range: ClosedRange<Int64>) async -> FileRegion? {
        guard let cache = context.uploads.cache else { return nil }
        let hex = SHA256.hex(file.sha256)
        if let region = cache.region(sha256: hex, range: range) { return region }
        let store = context.uploads.store
        guard await cache.fill(sha256: hex, size: file.size, chunk: { try await store.chunk($0, of: id) }) else { return nil }
        return cache.region(sha256: hex, range: range)
    }

    /// Writes the chunks covering `range` in order, reading the next one from PostgreSQL while
    /// the current one is written; stops if the client leaves or the file disappears (the
    /// connection is then closed short of the announced length).
    private static func copy(_ range: ClosedRange<Int64>, of id: UUID, from store: UploadStore, to writer: ResponseBodyWriter) async {
        let chunkSize = Int64(UploadStore.chunkSize)
        let last = Int(range.upperBound / chunkSize)
        var index = Int(range.lowerBound / chunkSize)
        var next: Task<[UInt8]?, Never>? = Task { [index] in try? await store.chunk(index, of: id) }
        defer { next?.cancel() }
        while index <= last, let reading = next {
            guard let chunk = await reading.value else { return }
            next = index < last ? Task { [index] in try? await store.chunk(index + 1, of: id) } : nil
            let start = Int64(index) * chunkSize
            let from = Int(max(range.lowerBound - start, 0))
            let to = Int(min(range.upperBound - start + 1, Int64(chunk.count)))
            guard from < to else { return }
            guard await writer.write(from == 0 && to == chunk.count ? chunk : Array(chunk[from..<to])) else { return }
            index += 1
        }
    }

    /// The contract's headers: never sniffed, never run in our origin, cached privately for
    /// the link's hour, shown inline only if it is one of the images we recognised.
    static func headers(for file: UploadStore.StoredFile) -> HTTPHeaders {
        var headers = HTTPHeaders()
        headers.set("Content-Type", file.type.contentType)
        headers.set("X-Content-Type-Options", "nosniff")
        headers.set("Content-Security-Policy", "sandbox")
        headers.set("Cache-Control", "private, max-age=3600")
        headers.set("Content-Disposition", AttachmentFilename.contentDisposition(file.filename, inline: file.type.isImage))
        headers.set("ETag", "\"\(SHA256.hex(file.sha256))\"")
        return headers
    }

    /// `If-None-Match`: `*` or a list of entity tags (weak ones compared weakly, RFC 9110 §13.1.2).
    static func matches(_ header: String, _ etag: String) -> Bool {
        header.split(separator: ",").contains { candidate in
            let tag = candidate.trimmingCharacters(in: .whitespaces)
            return tag == "*" || tag == etag || tag == "W/" + etag
        }
    }
}

/// Cuts an upload's pieces into 256 KiB chunks as they arrive, stores each, and hashes and
/// sniffs along the way: at most one chunk is held.
private struct ChunkWriter {
    let upload: UUID
    let store: UploadStore
    private var pending: [UInt8] = []
    private var index = 0
    private var size: Int64 = 0
    private var hasher = SHA256.Hasher()
    private var detected: (type: FileType, size: (width: Int, height: Int)?)?

    init(upload: UUID, store: UploadStore) {
        self.upload = upload
        self.store = store
        pending.reserveCapacity(UploadStore.chunkSize)
    }

    mutating func add(_ piece: [UInt8]) async throws {
        var offset = 0
        while offset < piece.count {
            let taken = min(UploadStore.chunkSize - pending.count, piece.count - offset)
            pending.append(contentsOf: piece[offset..<(offset + taken)])
            offset += taken
            if pending.count == UploadStore.chunkSize { try await flush() }
        }
    }

    /// The completed file's facts, or nil for an empty one.
    mutating func finish() async throws -> UploadStore.Completion? {
        if !pending.isEmpty { try await flush() }
        guard let detected, size > 0 else { return nil }
        return UploadStore.Completion(size: size, sha256: hasher.finalize(), type: detected.type, dimensions: detected.size)
    }

    private mutating func flush() async throws {
        if detected == nil { detected = FileType.detect(pending) }  // the first chunk holds every header we read
        hasher.update(pending)
        try await store.append(pending, index: index, to: upload)
        size += Int64(pending.count)
        index += 1
        pending.removeAll(keepingCapacity: true)
    }
}
