import ChatStore
import Foundation
import Models

/// Signed download links (API.md, "Attachments"): `/v1/attachments/ID?exp=UNIX_SECONDS&sig=HEX`,
/// where `sig` is HMAC-SHA256 under `CHAT_ATTACHMENT_SECRET` over `ID` and `exp`. A link is a
/// capability for one hour, usable by an `<img src>` without headers; it is minted only in
/// answers to readers who see the message at that moment. Rotating the secret invalidates
/// every link and nothing else (links are never stored).
struct AttachmentLinks: Sendable {
    static let lifetimeSeconds: Int64 = 3600

    private let key: [UInt8]
    /// Unix seconds now; injected so tests can expire links.
    private let now: @Sendable () -> Int64

    init(secret: String, now: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }) {
        key = Array(secret.utf8)
        self.now = now
    }

    /// A link valid for the next hour.
    func url(for id: String) -> String {
        let expiry = now() + Self.lifetimeSeconds
        return "/v1/attachments/\(id)?exp=\(expiry)&sig=\(signature(id: id, expiry: expiry))"
    }

    /// True when `sig` is this server's signature of `id` and `exp` and `exp` has not passed.
    func verify(id: String, exp: String?, sig: String?) -> Bool {
        guard let exp, let sig, let expiry = Int64(exp), String(expiry) == exp, expiry >= now() else { return false }
        return Self.constantTimeEqual(Array(sig.utf8), Array(signature(id: id, expiry: expiry).utf8))
    }

    private func signature(id: String, expiry: Int64) -> String {
        SHA256.hex(SHA256.hmac(key: key, message: Array("\(id)\n\(expiry)".utf8)))
    }

    /// Compares without stopping at the first difference (no timing oracle for forging).
    private static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}

extension AttachmentLinks {
    /// `message` with a fresh link on each attachment, for the reader it is answered to.
    func signed(_ item: MessageItem) -> MessageItem {
        guard case .decoded(let message) = item else { return item }  // rendered: no attachments
        return .decoded(signed(message))
    }

    func signed(_ message: Message) -> Message {
        guard !message.attachments.isEmpty else { return message }
        var message = message
        for index in message.attachments.indices {
            message.attachments[index].url = url(for: message.attachments[index].id)
        }
        return message
    }
}
