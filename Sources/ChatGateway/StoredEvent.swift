import Foundation
import Models

/// One row of `chat.events` as the gateway reads it (docs/architecture.md, "chat.events.type
/// values"): a position, what happened, to which conversation or user, and the JSON the
/// database prepared.
struct StoredEvent: Sendable {
    /// Gap-free, commit-ordered position; the stream's `id:`.
    let pos: Int64
    /// nil for a type this gateway does not know (a newer schema): skipped, position kept.
    let type: StoredEventType?
    /// Lowercase UUID text, as PostgreSQL prints it.
    let conversationID: String?
    let userID: String?
    /// `payload` as JSON text.
    let payload: String
    let committedAt: Date
    /// `chat.conversation_json(conversation_id)` at read time, for the types that show a
    /// conversation (`conversation.created`, `conversation.updated`, `member.added`).
    let conversationJSON: String?
}
