import Foundation
import HTTP
import Models

/// Routing one `chat.events` row to exactly the open streams whose user may see it
/// (docs/stream.md; docs/architecture.md, "chat.events.type values").
extension FanOutHub {
    func route(_ event: StoredEvent) {
        guard let type = event.type else { return }
        routedCounters[type]?.increment()
        // With no stream open nothing is delivered, but membership, user and session events
        // still update the audience cache and evict cached sessions.
        guard registry.count > 0 || !type.onlyDelivers else { return }
        let delivered: Bool
        switch type {
        case .messageCreated, .messageUpdated, .messageDeleted, .reactionAdded, .reactionRemoved:
            guard let name = type.timelineEventName else { return }
            delivered = routeToAudience(event) { _ in EventFrames.passThrough(event, as: name) }
        case .conversationCreated, .conversationUpdated:
            delivered = routeConversation(event, as: type == .conversationCreated ? .conversationCreated : .conversationUpdated)
        case .memberAdded:
            delivered = routeMembership(event, added: true)
        case .memberRemoved:
            delivered = routeMembership(event, added: false)
        case .readUpdated, .receiptUpdated, .muteUpdated:
            guard let user = event.userID, let name = type.personalEventName else { return }
            delivered = sendToUser(user, EventFrames.passThrough(event, as: name), event)
        case .userUpdated:
            applyUserUpdate(event)
            delivered = false
        case .sessionRevoked:
            applySessionRevoked(event)
            delivered = false
        }
        if delivered { metrics.deliveryLag.observe(Date().timeIntervalSince(event.committedAt)) }
    }

    /// `conversation.created` / `.updated`: one rendering for a circle chat's whole audience,
    /// one per participant for a direct chat (`title` and `peer` depend on who looks).
    private func routeConversation(_ event: StoredEvent, as name: StreamEventName) -> Bool {
        guard let snapshot = EventFrames.snapshot(event.conversationJSON) else { return false }
        switch snapshot.kind {
        case .circle:
            let frame = EventFrames.conversation(name, pos: event.pos, snapshot: snapshot, viewer: Viewer(id: "", role: .member))
            return routeToAudience(event) { _ in frame }
        case .direct:
            return routeToAudience(event) { user in
                EventFrames.conversation(name, pos: event.pos, snapshot: snapshot, viewer: Viewer(id: user, role: .member))
            }
        }
    }

    /// Sends to every connected user the audience admits (`Audience.admits`): the members,
    /// and for circle chats every connected admin. `frame(user)` is asked only for users with open streams; for shared frames it returns
    /// the same bytes every time, built once.
    private func routeToAudience(_ event: StoredEvent, frame: (String) -> EventBytes) -> Bool {
        guard let conversation = event.conversationID,
              let audience = audiences.audience(of: conversation, now: now()) else { return false }
        var shared: EventBytes?
        var delivered = false
        forEachConnected(in: audience) { user in
            let bytes = shared ?? frame(user)
            if audience.kind == .circle { shared = bytes }
            if sendToUser(user, bytes, event) { delivered = true }
        }
        return delivered
    }

    /// Calls `body` once for every user with an open stream whom `audience` admits. The
    /// candidates are the smaller of the members and the connected users, plus the connected
    /// admins; each is asked once.
    func forEachConnected(in audience: Audience, _ body: (String) -> Void) {
        func visit(_ user: String) {
            guard registry.count(of: user) > 0, audience.admits(user, isAdmin: registry.role(of: user) == .admin) else { return }
            body(user)
        }
        if audience.members.count <= registry.count {
            for user in audience.members { visit(user) }
        } else {
            for user in registry.users where audience.members.contains(user) { visit(user) }
        }
        for admin in registry.admins where !audience.members.contains(admin) { visit(admin) }
    }

    /// `member.added` / `member.removed`: the audience cache follows, and the user (unless an
    /// admin, who sees every circle chat anyway) gets `conversation.created` or `.removed`.
    private func routeMembership(_ event: StoredEvent, added: Bool) -> Bool {
        guard let conversation = event.conversationID, let user = event.userID else { return false }
        if added { audiences.add(user, to: conversation) } else { audiences.remove(user, from: conversation) }
        guard registry.count(of: user) > 0, registry.role(of: user) != .admin else { return false }
        guard let frame = EventFrames.frame(event, for: Viewer(id: user, role: .member)) else { return false }
        return sendToUser(user, frame, event)
    }

    /// Sends `frame` to every stream of `user` whose filter admits the event's conversation.
    @discardableResult
    private func sendToUser(_ user: String, _ frame: EventBytes, _ event: StoredEvent) -> Bool {
        var delivered = false
        for subscription in registry.streams(of: user) where subscription.wants(conversation: event.conversationID) {
            if send(frame, pos: event.pos, to: subscription) { delivered = true }
        }
        return delivered
    }

    /// `user.updated` `{"role", "active"}`: a deactivated user's streams close at once; a role
    /// change moves the user in or out of the admin set. Cached sessions of the user are dropped.
    private func applyUserUpdate(_ event: StoredEvent) {
        guard let user = event.userID else { return }
        sessions.forget(user: user)
        let change = try? JSONDecoder().decode(UserChange.self, from: Data(event.payload.utf8))
        if change?.active == false {
            for subscription in registry.streams(of: user) { close(subscription) }
        } else if let role = change?.role {
            registry.setRole(role, of: user)
        }
    }

    /// `session.revoked` `{"session_id"}`: that session's streams close at once.
    private func applySessionRevoked(_ event: StoredEvent) {
        guard let revoked = try? JSONDecoder().decode(SessionRevocation.self, from: Data(event.payload.utf8)) else { return }
        sessions.forget(session: revoked.sessionID)
        for subscription in registry.streams(ofSession: revoked.sessionID) { close(subscription) }
    }
}

extension StoredEventType {
    /// Types that only deliver (no cache to keep current).
    var onlyDelivers: Bool { needsAudience || personalEventName != nil }

    /// The stream event of a change that concerns one user alone (`chat.events.user_id`): its
    /// payload is the event's data as is.
    var personalEventName: StreamEventName? {
        switch self {
        case .readUpdated: .readUpdated
        case .receiptUpdated: .receiptUpdated
        case .muteUpdated: .muteUpdated
        default: nil
        }
    }
}

/// `user.updated` payload.
private struct UserChange: Decodable {
    var role: Role?
    var active: Bool?
}

/// `session.revoked` payload.
private struct SessionRevocation: Decodable {
    var sessionID: Int64
    enum CodingKeys: String, CodingKey { case sessionID = "session_id" }
}
