import Foundation
import Models

/// `typing` (docs/api.md, "Attention"; docs/stream.md, "Typing"): ephemeral. A notification on `chat_typing` (the API's
/// `pg_notify`, never a table row) goes to every live stream of the conversation's audience
/// except the typist's, with no `id:` line; streams still replaying skip it, and nothing of it
/// is kept, so a resume never replays it.
extension FanOutHub {
    func relayTyping(_ payload: String) async {
        guard registry.count > 0,
              let notice = try? JSONDecoder().decode(TypingData.self, from: Data(payload.utf8)) else { return }
        let conversation = notice.conversationID
        if audiences.missing([conversation]).isEmpty == false {
            // Loaded like the tail loads audiences; membership events keep it current from then on.
            guard let id = UUID(uuidString: conversation), let loaded = try? await log.audiences(of: [id]) else { return }
            if !audiences.missing([conversation]).isEmpty { audiences.store(loaded, asked: [conversation], now: now()) }
        }
        guard let audience = audiences.audience(of: conversation, now: now()) else { return }
        let frame = EventFrames.typing(payload)
        forEachConnected(in: audience) { user in
            guard user != notice.user.id else { return }
            for subscription in registry.streams(of: user)
            where subscription.held == nil && subscription.wants(conversation: conversation) {
                _ = subscription.stream.send(frame)
            }
        }
    }
}
