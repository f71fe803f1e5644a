import Foundation
import HTTP
import Models

/// One open stream as the hub tracks it: whose it is, what it asked for, and where it stands.
///
/// Owned by `FanOutHub`: only the hub's isolated code reads or changes its mutable state,
/// which is why a plain class suffices (it never crosses to another task while mutable state
/// is touched; the connection task only hands it over at `attach`).
final class Subscription {
    let stream: EventStream
    let userID: String
    let sessionID: Int64
    /// When the session expires: the stream is closed then (the client's reconnect gets 401).
    let expiresAt: Date
    /// Lowercase UUID text of the `conversation_id` filter, or nil for everything.
    let conversationFilter: String?
    /// Only events with a greater position are delivered (the seam of a resume, and the
    /// guarantee that `id` only grows).
    var floor: Int64 = 0
    /// Live events held while the stream replays; nil once it is live.
    var held: [(pos: Int64, bytes: EventBytes)]? = []
    var heldBytes = 0

    init(stream: EventStream, userID: String, sessionID: Int64, expiresAt: Date, conversationFilter: String?) {
        self.stream = stream
        self.userID = userID
        self.sessionID = sessionID
        self.expiresAt = expiresAt
        self.conversationFilter = conversationFilter
    }

    var id: Int { stream.id }

    /// Whether an event of `conversationID` passes the filter.
    func wants(conversation conversationID: String?) -> Bool {
        guard let conversationFilter else { return true }
        return conversationFilter == conversationID
    }
}

// Subscriptions are created by a connection task and handed to the hub actor once; after that
// only the actor touches their mutable fields (see the type's comment).
extension Subscription: @unchecked Sendable {}
