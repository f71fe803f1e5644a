import ChatStore
import Foundation
import Models
import Testing
import TestSupport

/// The download cache (`ATTACHMENT_CACHE_DIR`, `ATTACHMENT_CACHE_MB`) through the real
/// process: a downloaded file lands on disk under its SHA-256 and later downloads and ranges
/// are sent from there; the database still decides who gets it; a file too large for the
/// cache streams from the database.
@Suite(.chatAPI(["ATTACHMENT_CACHE_DIR": cacheDirectory, "ATTACHMENT_CACHE_MB": "4"]))
struct AttachmentCacheTests {

    @Test("a download fills the cache; later ones and ranges come from it; a deleted message's file is refused although cached")
    func servedFromDisk() async throws {
        let api = try harness()
        let file = TestFiles.png(width: 64, height: 48, totalBytes: 700_000)  // three chunks
        let (member, chat, message, url) = try await api.attachmentInNewChat("shot.png", file)
        let cached = cacheDirectory + "/" + SHA256.hex(SHA256.hash(file))
        #expect(!FileManager.default.fileExists(atPath: cached))

        let first = try await api.download(url)
        try expectStatus(first, 200)
        #expect(first.body == file)
        #expect(FileManager.default.contents(atPath: cached).map(Array.init) == file)

        let again = try await api.download(url)
        #expect(again.status == 200 && again.body == file && again.header("Content-Length") == "\(file.count)")
        #expect(again.header("Content-Security-Policy") == "sandbox" && again.header("Content-Type") == "image/png")
        let middle = try await api.download(url, headers: [("Range", "bytes=300000-500001")])
        #expect(middle.status == 206 && middle.body == Array(file[300_000...500_001]))
        let head = try await api.call("HEAD", url)
        #expect(head.status == 200 && head.body.isEmpty && head.header("Content-Length") == "\(file.count)")
        // The connection stays usable after a file body: the next request on it is answered.
        let etag = try #require(again.header("ETag"))
        #expect(try await api.download(url, headers: [("If-None-Match", etag)]).status == 304)

        try expectStatus(try await api.delete(member, chat, message.id), 204)
        expectError(try await api.download(url), 404, "not_found")
    }

    @Test("a file larger than a quarter of the cache streams from the database and is not cached")
    func largeFileBypasses() async throws {
        let api = try harness()
        let file = TestFiles.filler(1_100_000)  // over 4 MiB / 4
        let url = try await api.attachmentInNewChat("big.bin", file).url
        let download = try await api.download(url)
        #expect(download.status == 200 && download.body == file)
        let part = try await api.download(url, headers: [("Range", "bytes=262140-262150")])
        #expect(part.status == 206 && part.body == Array(file[262_140...262_150]))
        #expect(!FileManager.default.fileExists(atPath: cacheDirectory + "/" + SHA256.hex(SHA256.hash(file))))
    }
}

/// The cache directory of `AttachmentCacheTests`' chat-api.
private let cacheDirectory = NSTemporaryDirectory() + "chat-api-attachment-cache-\(UUID().uuidString)"

/// `ATTACHMENT_CACHE_MB=0`: every download streams from the database, ranges included.
@Suite(.chatAPI(["ATTACHMENT_CACHE_MB": "0"]))
struct AttachmentWithoutCacheTests {
    @Test("with the cache off, downloads and ranges stream from the database")
    func streamedFromDatabase() async throws {
        let api = try harness()
        let file = TestFiles.filler(600_000)
        let url = try await api.attachmentInNewChat("data.bin", file).url
        for _ in 0..<2 {
            let download = try await api.download(url)
            #expect(download.status == 200 && download.body == file)
        }
        let acrossChunks = try await api.download(url, headers: [("Range", "bytes=262000-262999")])
        #expect(acrossChunks.status == 206 && acrossChunks.body == Array(file[262_000...262_999]))
    }
}
