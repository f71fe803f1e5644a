import ChatStore
import Foundation
import Models
import Testing
import TestSupport

/// Attachments through the real process (API.md, "Attachments"): upload, attach, download
/// with the contract's headers, ranges and ETags; hostile files served safely; links and ids
/// that must be refused.
@Suite(.chatAPI())
struct AttachmentTests {
    @Test("upload, attach, download: same bytes and SHA-256, Range, If-None-Match, the stream's form")
    func roundTrip() async throws {
        let api = try harness()
        let admin = try await api.user(.admin), member = try await api.user()
        let (_, chat) = try await api.circleChat(admin, members: [member])
        let file = TestFiles.png(width: 640, height: 480, totalBytes: 600_000)  // three 256 KiB chunks
        let uploadResponse = try await api.upload(member, "screen shot.png", file, headers: [("Content-Type", "image/png")])
        try expectStatus(uploadResponse, 201)
        let upload = try uploadResponse.object()
        #expect(upload["content_type"] as? String == "image/png")
        #expect(upload["width"] as? Int == 640 && upload["height"] as? Int == 480)
        #expect(upload["size"] as? Int == file.count)
        #expect(upload["sha256"] as? String == SHA256.hex(SHA256.hash(file)))
        #expect(upload["filename"] as? String == "screen shot.png")

        let sent = try await api.send(member, chat, "", attachments: [upload["id"] as? String ?? ""])
        try expectStatus(sent, 201)
        let message = try sent.decode(Message.self)
        #expect(message.body == "")
        #expect(message.attachments.count == 1)
        #expect(message.attachments.first?.url?.hasPrefix("/v1/attachments/\(upload["id"] as? String ?? "")?exp=") == true)

        // Another reader gets a link of their own and the same bytes.
        let read = try await api.getMessage(admin, chat, message.id).decode(Message.self)
        let attachment = try #require(read.attachments.first)
        #expect(attachment.contentType == "image/png" && attachment.size == Int64(file.count))
        #expect(attachment.width == 640 && attachment.height == 480)
        let download = try await api.download(try #require(attachment.url))
        try expectStatus(download, 200)
        #expect(download.body == file)
        #expect(SHA256.hex(SHA256.hash(download.body)) == upload["sha256"] as? String)
        #expect(download.header("Content-Type") == "image/png")
        #expect(download.header("X-Content-Type-Options") == "nosniff")
        #expect(download.header("Content-Security-Policy") == "sandbox")
        #expect(download.header("Cache-Control") == "private, max-age=3600")
        #expect(download.header("Content-Disposition")?.hasPrefix("inline;") == true)
        let etag = try #require(download.header("ETag"))
        #expect(etag == "\"\(SHA256.hex(SHA256.hash(file)))\"")

        let notModified = try await api.download(attachment.url!, headers: [("If-None-Match", etag)])
        #expect(notModified.status == 304 && notModified.body.isEmpty)
        let acrossChunks = try await api.download(attachment.url!, headers: [("Range", "bytes=262000-262999")])
        #expect(acrossChunks.status == 206)
        #expect(acrossChunks.header("Content-Range") == "bytes 262000-262999/\(file.count)")
        #expect(acrossChunks.body == Array(file[262_000...262_999]))
        let suffix = try await api.download(attachment.url!, headers: [("Range", "bytes=-10")])
        #expect(suffix.status == 206 && suffix.body == Array(file.suffix(10)))
        let resumed = try await api.download(attachment.url!, headers: [("Range", "bytes=599990-")])
        #expect(resumed.status == 206 && resumed.body == Array(file[599_990...]))
        let past = try await api.download(attachment.url!, headers: [("Range", "bytes=600000-")])
        #expect(past.status == 416)
        #expect(past.header("Content-Range") == "bytes */\(file.count)")

        // History carries it too; the stream's event carries it without a url.
        let history = try await api.history(admin, chat)
        #expect(history.last?.attachments.first?.url != nil)
        let payload = try #require(try await api.database.scalar("""
            SELECT payload::text FROM chat.events WHERE type = 'message.created' AND (payload->'message'->>'id')::bigint = \(message.id)
            """))
        let event = try JSONDecoder().decode(MessageEventPayload.self, from: Data(payload.utf8))
        #expect(event.message.attachments.map(\.id) == [attachment.id])
        #expect(event.message.attachments.first?.url == nil)
        #expect(event.message.attachments.first?.width == 640)
    }

    @Test("HTML claiming image/png, an SVG with a script, a name with ../, quotes, newlines and non-ASCII: served safely")
    func hostileFiles() async throws {
        let api = try harness()
        let admin = try await api.user(.admin), member = try await api.user()
        let chat = try await api.directChat(admin, member)
        let html = Array("<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>".utf8)
        let svg = Array("<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>".utf8)
        let cases: [(name: String, bytes: [UInt8])] = [
            ("shot.png", html), ("logo.svg", svg), ("../../etc/\"pass\"\r\nwd ñ.txt", Array("plain".utf8)),
        ]
        var ids: [String] = []
        for (name, bytes) in cases {
            let response = try await api.upload(member, name, bytes, headers: [("Content-Type", "image/png")])
            try expectStatus(response, 201)
            #expect(try response.object()["content_type"] as? String == "application/octet-stream", "\(name)")
            ids.append(try response.object()["id"] as? String ?? "")
        }
        let message = try await api.send(member, chat, "files", attachments: ids).decode(Message.self)
        #expect(message.attachments.map(\.id) == ids)  // in the order sent
        let stored = message.attachments[2].filename
        #expect(!stored.contains("/") && !stored.contains("\n") && !stored.contains("\r") && !stored.hasPrefix("."))
        #expect(stored.hasSuffix("wd ñ.txt"))
        for (index, attachment) in message.attachments.enumerated() {
            let response = try await api.download(try #require(attachment.url))
            try expectStatus(response, 200)
            #expect(response.body == cases[index].bytes)
            #expect(response.header("Content-Type") == "application/octet-stream")
            #expect(response.header("X-Content-Type-Options") == "nosniff")
            #expect(response.header("Content-Security-Policy") == "sandbox")
            let disposition = try #require(response.header("Content-Disposition"))
            #expect(disposition.hasPrefix("attachment; filename=\""))
            #expect(disposition.filter { $0 == "\"" }.count == 2, "\(disposition)")  // no quote inside the quoted name
            #expect(disposition.unicodeScalars.allSatisfy { $0.isASCII && $0.value >= 0x20 }, "\(disposition)")
        }
        let named = try await api.download(message.attachments[2].url!)
        #expect(named.header("Content-Disposition")?.contains("filename*=UTF-8''") == true)
        #expect(named.header("Content-Disposition")?.contains("%C3%B1.txt") == true)
        #expect(named.header("Content-Disposition")?.contains("../") == false)
    }

    @Test("expired, forged and missing signatures are 403; an unknown id 404; another's or a used upload 422")
    func refusals() async throws {
        let api = try harness()
        let admin = try await api.user(.admin), member = try await api.user(), other = try await api.user()
        let chat = try await api.directChat(admin, member)
        let id = try await api.uploaded(member, "a.bin", TestFiles.filler(1000))
        let message = try await api.send(member, chat, "x", attachments: [id]).decode(Message.self)
        let url = try #require(message.attachments.first?.url)
        try expectStatus(try await api.download(url), 200)

        let now = Int64(Date().timeIntervalSince1970)
        expectError(try await api.download(APIHarness.signedLink(id, expiry: now - 5)), 403, "forbidden")
        let forged = url.dropLast() + (url.hasSuffix("0") ? "1" : "0")
        expectError(try await api.download(String(forged)), 403, "forbidden")
        expectError(try await api.download("/v1/attachments/\(id)"), 403, "forbidden")
        expectError(try await api.download("/v1/attachments/\(id)?exp=\(now + 60)&sig=00"), 403, "forbidden")
        expectError(try await api.download(APIHarness.signedLink(UUID().uuidString.lowercased(), expiry: now + 60)), 404, "not_found")

        let others = try await api.uploaded(other, "b.bin", TestFiles.filler(10))
        expectError(try await api.send(member, chat, "x", attachments: [others]), 422, "invalid", field: "attachments")
        expectError(try await api.send(member, chat, "x", attachments: [id]), 422, "invalid", field: "attachments")  // attached already
        expectError(try await api.send(member, chat, "x", attachments: [UUID().uuidString]), 422, "invalid", field: "attachments")
        expectError(try await api.send(member, chat, "x", attachments: []), 422, "invalid", field: "attachments")
        expectError(try await api.send(member, chat, "x", attachments: ["not-a-uuid"]), 422, "invalid", field: "attachments")
        let many = (0..<11).map { _ in UUID().uuidString }
        expectError(try await api.send(member, chat, "x", attachments: many), 422, "invalid", field: "attachments")
        expectError(try await api.send(member, chat, "", attachments: []), 422, "invalid", field: "attachments")
        expectError(try await api.send(member, chat, "   "), 422, "invalid", field: "body")
        expectError(try await api.upload(member, "empty.bin", []), 422, "invalid", field: "body")
        expectError(try await api.call("POST", "/v1/uploads", token: member.token, body: [1]), 400, "bad_request")
        expectError(try await api.call("POST", "/v1/uploads?filename=x", body: [1]), 401, "unauthorized")
        // Nothing of the refused uploads is left behind.
        #expect(try await api.database.scalar("SELECT count(*) FROM chat.uploads WHERE uploader_id = \(member.id)") == "1")
    }

    @Test("a reader removed from the circle gets no new link; a deleted message's files are gone, links included")
    func accessFollowsTheMessage() async throws {
        let api = try harness()
        let admin = try await api.user(.admin), member = try await api.user(), leaver = try await api.user()
        let (circle, chat) = try await api.circleChat(admin, members: [member, leaver])
        let id = try await api.uploaded(member, "plan.pdf", Array("%PDF-1.7 not really".utf8))
        let message = try await api.send(member, chat, "plan", attachments: [id]).decode(Message.self)
        let leaversLink = try #require(try await api.getMessage(leaver, chat, message.id).decode(Message.self).attachments.first?.url)

        try expectStatus(try await api.service("DELETE", "/v1/circles/\(circle)/members/\(leaver.id)"), 204)
        expectError(try await api.getMessage(leaver, chat, message.id), 404, "not_found")
        expectError(try await api.call("GET", "/v1/conversations/\(chat)/messages", token: leaver.token), 404, "not_found")

        try expectStatus(try await api.delete(member, chat, message.id), 204)
        expectError(try await api.download(leaversLink), 404, "not_found")
        let deleted = try await api.getMessage(admin, chat, message.id).decode(Message.self)
        #expect(deleted.deleted && deleted.attachments.isEmpty)
        #expect(try await api.database.scalar("SELECT count(*) FROM chat.uploads WHERE id = \(UUID(uuidString: id)!)") == "0")
        #expect(try await api.database.scalar("SELECT count(*) FROM chat.upload_chunks WHERE upload_id = \(UUID(uuidString: id)!)") == "0")
    }

    @Test("a message with mentions and attachments carries both in the 201, the replay, GET one, history and the stream's payload")
    func mentionsBesideAttachments() async throws {
        let api = try harness()
        let admin = try await api.user(.admin), member = try await api.user()
        let (_, chat) = try await api.circleChat(admin, members: [member])
        let first = try await api.uploaded(member, "a.png", TestFiles.png(width: 2, height: 3, totalBytes: 100))
        let second = try await api.uploaded(member, "b.bin", TestFiles.filler(10))
        let sent = try await api.send(member, chat, "@admin see these", clientID: "both-1", mentions: [admin.id],
                                      attachments: [first, second])
        try expectStatus(sent, 201)
        let replay = try await api.send(member, chat, "@admin see these", clientID: "both-1", mentions: [admin.id],
                                        attachments: [first, second])
        try expectStatus(replay, 200)
        let created = try sent.decode(Message.self)
        let payload = try #require(try await api.database.scalar("""
            SELECT payload::text FROM chat.events WHERE type = 'message.created' AND (payload->'message'->>'id')::bigint = \(created.id)
            """))
        let forms = [created, try replay.decode(Message.self), try await api.getMessage(admin, chat, created.id).decode(Message.self),
                     try #require(try await api.history(admin, chat).last),
                     try JSONDecoder().decode(MessageEventPayload.self, from: Data(payload.utf8)).message]
        for (index, message) in forms.enumerated() {
            #expect(message.id == created.id, "form \(index)")
            #expect(message.mentions.map(\.id) == [admin.id], "form \(index)")
            #expect(message.attachments.map(\.id) == [first, second], "form \(index)")
            #expect(message.attachments.first?.width == 2 && message.attachments.first?.height == 3, "form \(index)")
            #expect((message.attachments.first?.url != nil) == (index < 4), "form \(index): a url in API answers only")
        }
    }

    @Test("chatctl prune removes unattached uploads older than 24 hours, not attached ones")
    func pruning() async throws {
        let api = try harness()
        let admin = try await api.user(.admin), member = try await api.user()
        let chat = try await api.directChat(admin, member)
        let stale = try await api.uploaded(member, "stale.bin", TestFiles.filler(10))
        let fresh = try await api.uploaded(member, "fresh.bin", TestFiles.filler(10))
        let kept = try await api.uploaded(member, "kept.bin", TestFiles.filler(10))
        try expectStatus(try await api.send(member, chat, "x", attachments: [kept]), 201)
        try await api.database.execute("""
            UPDATE chat.uploads SET created_at = now() - interval '25 hours' WHERE id IN (\(UUID(uuidString: stale)!), \(UUID(uuidString: kept)!))
            """)
        let run = try await ProgramRun.run(try ServiceProcess.executable("chatctl"), ["prune"],
                                           environment: ["DATABASE_URL": api.database.url, "PATH": "/usr/bin:/bin"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("deleted 1 uploads"), "\(run.stdout)")
        let left = try await api.database.rows("SELECT id::text FROM chat.uploads WHERE uploader_id = \(member.id) ORDER BY filename")
        #expect(Set(left.compactMap { $0["id"] ?? nil }) == [fresh, kept])
    }
}

/// `message.created`'s payload as stored for the stream.
private struct MessageEventPayload: Decodable {
    var message: Message
}
