import ChatStore
import Foundation
import Models
import Testing
import TestSupport

/// The upload path's limits through the real process: 413 decided before the body is read
/// (declared length) or as soon as a chunked body passes the limit, the per-process cap (503
/// with `Retry-After`) and the per-user rate (429).
@Suite(.serialized, .chatAPI(["UPLOAD_MAX_BYTES": "1048576", "UPLOAD_CONCURRENCY": "4", "UPLOAD_RATE_PER_MINUTE": "1", "UPLOAD_BURST": "3"]))
struct AttachmentLimitTests {
    private func head(_ user: TestUser, _ framing: String) -> String {
        "POST /v1/uploads?filename=big.bin HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer \(user.token)\r\n\(framing)\r\n\r\n"
    }

    @Test("a declared length over UPLOAD_MAX_BYTES: 413 at once, without sending the body, and the connection closes")
    func declaredTooLarge() async throws {
        let api = try harness()
        let user = try await api.user()
        let client = try await HTTPTestClient.connect(port: api.port, sending: Array(head(user, "Content-Length: 1048577").utf8))
        let response = try await client.readResponse(timeout: .seconds(10))
        expectError(response, 413, "payload_too_large")
        #expect(try await client.waitForClose(timeout: .seconds(10)))
    }

    @Test("a chunked upload is cut off at the limit: 413, closed, nothing stored")
    func chunkedTooLarge() async throws {
        let api = try harness()
        let user = try await api.user()
        let client = try await HTTPTestClient.connect(port: api.port, sending: Array(head(user, "Transfer-Encoding: chunked").utf8))
        let piece = TestFiles.filler(64 << 10)
        var chunk = Array("10000\r\n".utf8) + piece + Array("\r\n".utf8)
        chunk.reserveCapacity(chunk.count)
        for _ in 0..<20 {  // 1.25 MiB offered; the server stops reading past 1 MiB
            do { try await client.send(chunk) } catch { break }
        }
        let response = try await client.readResponse(timeout: .seconds(10))
        expectError(response, 413, "payload_too_large")
        #expect(try await client.waitForClose(timeout: .seconds(10)))
        #expect(try await api.database.scalar("SELECT count(*) FROM chat.uploads WHERE uploader_id = \(user.id)") == "0")
    }

    @Test("past UPLOAD_CONCURRENCY uploads in progress: 503 with Retry-After; the others complete")
    func concurrencyCap() async throws {
        let api = try harness()
        var users: [TestUser] = []
        for _ in 0..<5 { users.append(try await api.user()) }
        let file = TestFiles.filler(500_000)
        var clients: [HTTPTestClient] = []
        for user in users.prefix(4) {
            clients.append(try await HTTPTestClient.connect(
                port: api.port, sending: Array(head(user, "Content-Length: \(file.count)").utf8) + file.prefix(1000)))
        }
        let ids = users.prefix(4).map(\.id)
        for _ in 0..<100 {  // every handler has begun its upload
            if try await api.database.scalar("SELECT count(*) FROM chat.uploads WHERE uploader_id = ANY(\(ids))") == "4" { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        let refused = try await api.upload(users[4], "fifth.bin", file)
        expectError(refused, 503, "unavailable")
        #expect(refused.header("Retry-After") == "2")
        for client in clients {
            try await client.send(Array(file.dropFirst(1000)))
            let response = try await client.readResponse(timeout: .seconds(30))
            try expectStatus(response, 201)
            #expect(try response.object()["sha256"] as? String == SHA256.hex(SHA256.hash(file)))
        }
        try expectStatus(try await api.upload(users[4], "fifth.bin", file), 201)  // a place is free again
    }

    @Test("uploads per user are rate limited: 429 with Retry-After")
    func rateLimit() async throws {
        let api = try harness()
        let user = try await api.user()
        for index in 0..<3 { _ = try await api.uploaded(user, "f\(index).bin", [UInt8(index)]) }
        let limited = try await api.upload(user, "f3.bin", [3])
        expectError(limited, 429, "rate_limited")
        #expect(Int(limited.header("Retry-After") ?? "") ?? 0 >= 1)
        _ = try await api.uploaded(try await api.user(), "other.bin", [1])  // another user is not held back
    }
}

/// Many uploads at once keep the API's memory bounded (bodies stream to PostgreSQL in
/// chunks) and leave it answering other requests.
@Suite(.chatAPI(["UPLOAD_RATE_PER_MINUTE": "0"]))
struct AttachmentLoadTests {
    @Test("16 uploads of 4 MiB at once: peak RSS grows far less than the 64 MiB sent; /v1/me is answered while they are in flight")
    func manyUploadsAtOnce() async throws {
        let api = try harness()
        let user = try await api.user()
        let file = TestFiles.filler(4 << 20)
        _ = try await api.uploaded(user, "warm-up.bin", file)  // pools, buffers and code paths warmed up
        let pid = api.service.processIdentifier
        let baseline = try Self.status(pid, "VmRSS")
        let uploads = 16
        let head = Array(("POST /v1/uploads?filename=load.bin HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer \(user.token)\r\n"
            + "Content-Length: \(file.count)\r\nConnection: close\r\n\r\n").utf8)
        let half = file.count / 2
        // Every upload sends its first half and waits: all of them are in flight at once.
        var clients: [HTTPTestClient] = []
        for _ in 0..<uploads { clients.append(try await HTTPTestClient.connect(port: api.port)) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for client in clients { group.addTask { try await client.send(head + file.prefix(half)) } }
            try await group.waitForAll()
        }
        // Meanwhile other requests are answered (within the client's 15 s: a bound for a busy
        // machine, not a benchmark), before any upload can have finished.
        for _ in 0..<3 {
            try expectStatus(try await api.call("GET", "/v1/me", token: user.token), 200)
        }
        #expect(try await api.database.scalar("SELECT count(*) FROM chat.uploads WHERE completed_at IS NOT NULL AND uploader_id = \(user.id)") == "1")
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for client in clients {
                group.addTask {
                    try await client.send(Array(file.dropFirst(half)))
                    return try await client.readResponse(timeout: .seconds(600)).status
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(statuses == Array(repeating: 201, count: uploads))
        let peak = try Self.status(pid, "VmHWM")
        let sent = uploads * file.count / 1024
        print("uploads: \(uploads) x \(file.count >> 20) MiB = \(sent >> 10) MiB sent; RSS before \(baseline >> 10) MiB, peak \(peak >> 10) MiB")
        #expect(peak - baseline < sent / 3, "peak RSS \(peak) KiB from \(baseline) KiB for \(sent) KiB of bodies")
        #expect(try await api.database.scalar("""
            SELECT count(*) FROM chat.uploads WHERE uploader_id = \(user.id) AND size = \(file.count)
               AND sha256 = decode(\(SHA256.hex(SHA256.hash(file))), 'hex')
            """) == String(uploads + 1))
    }

    /// A `/proc/PID/status` field in KiB (`VmRSS`: now, `VmHWM`: the peak).
    static func status(_ pid: Int32, _ field: String) throws -> Int {
        let text = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(field + ":") }),
              let value = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") else {
            throw HTTPTestError("no \(field) in /proc/\(pid)/status")
        }
        return value
    }
}
