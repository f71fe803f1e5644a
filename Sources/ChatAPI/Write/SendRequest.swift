import Foundation
import HTTP
import Models

/// One message to store, already validated (body rules, `client_id`) and rate-limited; the
/// permission checks happen inside the batch's transaction, under the conversation's lock.
struct SendRequest: Sendable {
    var conversationID: UUID
    var senderID: String
    var body: String
    var clientID: String?
    /// The quoted message (`reply_to`): checked in the batch's transaction (same
    /// conversation, a user message, not deleted; else 422 `reply_to`).
    var replyTo: Int64? = nil
}

/// What a sender gets back: a new message (201), or the one stored earlier under the same
/// `client_id` (200, nothing stored twice).
enum SendOutcome: Sendable, Equatable {
    case created(Message)
    case replayed(Message)
}

/// The fate of one row of a batch.
enum SendRowResult: Sendable {
    case done(SendOutcome)
    case failed(APIError)
    /// Its conversation is locked by another writer (another replica, a DBA's open
    /// transaction): retried apart, waiting for the lock, so the batch never waits.
    case busy
}
