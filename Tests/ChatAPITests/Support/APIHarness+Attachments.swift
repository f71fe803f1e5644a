import ChatStore
import Foundation
import Models
import Testing
import TestSupport

/// Uploads, sends with attachments and downloads (API.md, "Attachments").
extension APIHarness {
    static let attachmentSecret = "attachment-secret-for-tests-0123456789"

    func upload(_ user: TestUser, _ filename: String, _ bytes: [UInt8], headers: [(String, String)] = []) async throws -> HTTPTestResponse {
        let name = filename.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? filename
        return try await call("POST", "/v1/uploads?filename=\(name)", token: user.token, body: bytes, headers: headers)
    }

    /// Uploads and expects 201; returns the upload's id.
    func uploaded(_ user: TestUser, _ filename: String, _ bytes: [UInt8]) async throws -> String {
        let response = try await upload(user, filename, bytes)
        try expectStatus(response, 201)
        return try response.object()["id"] as? String ?? ""
    }

    /// A new member uploads `bytes` and sends them into a new direct chat with a new admin:
    /// the member, the chat, the message and the member's link to the file.
    func attachmentInNewChat(_ filename: String, _ bytes: [UInt8]) async throws
        -> (member: TestUser, chat: String, message: Message, url: String) {
        let admin = try await user(.admin), member = try await user()
        let chat = try await directChat(admin, member)
        let id = try await uploaded(member, filename, bytes)
        let message = try await send(member, chat, filename, attachments: [id]).decode(Message.self)
        return (member, chat, message, try #require(message.attachments.first?.url))
    }

    /// A GET of an attachment link (a path with its query), without credentials, as `<img src>` does.
    func download(_ url: String, headers: [(String, String)] = []) async throws -> HTTPTestResponse {
        try await call("GET", url, headers: headers)
    }

    /// A link signed with the test secret, for links the server would never mint (expired, unknown id).
    static func signedLink(_ id: String, expiry: Int64) -> String {
        let signature = SHA256.hex(SHA256.hmac(key: Array(attachmentSecret.utf8), message: Array("\(id)\n\(expiry)".utf8)))
        return "/v1/attachments/\(id)?exp=\(expiry)&sig=\(signature)"
    }
}

/// Files for the tests: a PNG of a given size (a real header, then filler bytes), and
/// deterministic filler.
enum TestFiles {
    static func filler(_ count: Int, seed: UInt8 = 7) -> [UInt8] {
        var state = UInt32(seed) &* 2_654_435_761
        return (0..<count).map { _ in
            state = state &* 1_664_525 &+ 1_013_904_223
            return UInt8(truncatingIfNeeded: state >> 24)
        }
    }

    static func png(width: UInt32, height: UInt32, totalBytes: Int) -> [UInt8] {
        var bytes: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13]
        bytes += Array("IHDR".utf8)
        for value in [width, height] { bytes += [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: value >> $0) } }
        bytes += [8, 6, 0, 0, 0, 0, 0, 0, 0]
        return bytes + filler(max(0, totalBytes - bytes.count))
    }
}
