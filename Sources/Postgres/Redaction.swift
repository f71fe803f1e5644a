import Foundation

/// Removes secrets from messages that may quote them (libpq's messages can echo parts of a URL).
enum Redaction {
    static func clean(_ message: String, removing secrets: [String]) -> String {
        var text = message
        for secret in secrets where !secret.isEmpty {
            text = text.replacingOccurrences(of: secret, with: "***")
        }
        return text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }
}
