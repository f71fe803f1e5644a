import Foundation
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
    /// The users mentioned: each must see the conversation (checked in the batch's
    /// transaction; else 422 `mentions`).
    var mentions: [String] = []
    /// Uploads to attach (API.md, "Attachments"): checked and linked in the batch's
    /// transaction (the sender's own, complete, unattached; else 422 `attachments`).
    var attachments: [UUID] = []
}

/// What a sender gets back: a new message (201), or the one stored earlier under the same
/// `client_id` (200, nothing stored twice).
enum SendOutcome: Sendable, Equatable {
    case created(Message)
    case replayed(Message)
}

/// Why a send was not stored, in the write path's terms; `MessageRoutes` maps each to its
/// HTTP answer (docs/api.md, "The write path").
enum SendFailure: Error, Sendable, Equatable {
    /// The sender was deactivated after authenticating.
    case senderInactive
    /// The conversation does not exist or the sender may not see it.
    case conversationNotFound
    /// The sender sees the conversation but may not send there (admins_only, not an admin).
    case sendForbidden
    /// `reply_to` is not a user message of this conversation that is not deleted.
    case replyNotQuotable
    /// An `attachments` id is not one of the sender's own complete, unattached uploads.
    case attachmentsNotAvailable
    /// A mentioned user does not see the conversation (or does not exist).
    case mentionNotVisible
    /// A database rule (a CHECK constraint) refused the message.
    case refusedByDatabase
    /// The conversation stayed locked by another writer beyond the lock timeout.
    case conversationBusy
    /// The committer is stopping and takes no more sends.
    case shuttingDown
    /// The database cannot be reached.
    case databaseUnavailable
    /// Anything else (logged where it happened).
    case internalError
}

/// The fate of one row of a batch.
enum SendRowResult: Sendable {
    case done(SendOutcome)
    case failed(SendFailure)
    /// Its conversation is locked by another writer (another replica, a DBA's open
    /// transaction): retried apart, waiting for the lock, so the batch never waits.
    case busy
}
