import Foundation
import Models

/// The bearer token of a session: 32 bytes (256 bits) from the system's cryptographically secure
/// generator, written in base64url without padding (43 characters of `A-Z a-z 0-9 - _`), so it
/// travels unescaped in a header or an `access_token` query parameter. Only its SHA-256 is stored.
enum SessionToken {
    static let byteCount = 32
    static let textLength = 43

    /// A fresh token.
    static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        var bytes = [UInt8]()
        bytes.reserveCapacity(byteCount)
        for _ in 0..<(byteCount / 8) {
            withUnsafeBytes(of: generator.next() as UInt64) { bytes.append(contentsOf: $0) }
        }
        return Base64URL.encode(Data(bytes))
    }

    /// Whether `text` has the shape of a token we mint; anything else is unknown without asking
    /// the database.
    static func isWellFormed(_ text: String) -> Bool {
        text.utf8.count == textLength && Base64URL.isEncoded(text)
    }

    /// What `chat.sessions.token_hash` holds: the SHA-256 of the token's UTF-8 text.
    static func hash(_ token: String) -> Data {
        Data(SHA256.hash(token))
    }
}
