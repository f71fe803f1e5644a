import Foundation
import HTTP
import Models

/// The SSE frames of the stream (docs/stream.md): `id: <pos>`, `event: <name>`,
/// `data: <json>`. Each is built once and the same bytes go to every stream that gets them.
enum EventFrames {
    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
        return encoder
    }()
    private static let decoder = JSONDecoder()

    /// The frame `viewer` gets for `event`, or nil for types that are not shown (membership
    /// events become `conversation.created` / `.removed`). Used where frames are per viewer:
    /// replays, direct chats, membership changes.
    static func frame(_ event: StoredEvent, for viewer: Viewer) -> EventBytes? {
        switch event.type {
        case .messageCreated, .messageUpdated, .messageDeleted, .reactionAdded, .reactionRemoved:
            return event.type?.timelineEventName.map { passThrough(event, as: $0) }
        case .readUpdated, .receiptUpdated, .muteUpdated:
            return event.type?.personalEventName.map { passThrough(event, as: $0) }
        case .conversationCreated, .memberAdded:
            return snapshot(event.conversationJSON).map { conversation(.conversationCreated, pos: event.pos, snapshot: $0, viewer: viewer) }
        case .conversationUpdated:
            return snapshot(event.conversationJSON).map { conversation(.conversationUpdated, pos: event.pos, snapshot: $0, viewer: viewer) }
        case .memberRemoved:
            return event.conversationID.map { removed(pos: event.pos, conversationID: $0) }
        case .userUpdated, .sessionRevoked, nil:
            return nil
        }
    }

    /// `id: <pos>` with no data: sets the client's last event id (WHATWG HTML §9.2.6: the id is
    /// taken when the block is dispatched, even though an event without data is not fired).
    static func position(_ pos: Int64) -> EventBytes { EventBytes("id: \(pos)\n\n") }

    /// A frame whose data is JSON the database already built (the timeline events,
    /// `read.updated`: the row's payload is the event's data as is).
    static func passThrough(_ event: StoredEvent, as name: StreamEventName) -> EventBytes {
        SSEFrame.encode(id: String(event.pos), event: name.rawValue, data: event.payload)
    }

    /// `conversation.created` / `conversation.updated` as `viewer` sees it.
    static func conversation(_ name: StreamEventName, pos: Int64, snapshot: ConversationSnapshot, viewer: Viewer) -> EventBytes {
        encode(name, pos: pos, ConversationEventData(conversation: snapshot.render(for: viewer)))
    }

    static func removed(pos: Int64, conversationID: String) -> EventBytes {
        encode(.conversationRemoved, pos: pos, ConversationRemovedData(conversationID: conversationID))
    }

    /// `typing`: ephemeral, so no `id:` line (the client's last event id stays where it was).
    /// `data` is the notification's payload as the API built it.
    static func typing(_ data: String) -> EventBytes {
        SSEFrame.encode(event: StreamEventName.typing.rawValue, data: data)
    }

    static func reset(pos: Int64, reason: String) -> EventBytes {
        encode(.reset, pos: pos, ResetData(reason: reason))
    }

    /// `chat.conversation_json` text decoded; nil when the conversation is gone or the JSON is
    /// not what Models expects (the event is then skipped: no stream gets half a conversation).
    static func snapshot(_ json: String?) -> ConversationSnapshot? {
        guard let json else { return nil }
        return try? decoder.decode(ConversationSnapshot.self, from: Data(json.utf8))
    }

    private static func encode<T: Encodable>(_ name: StreamEventName, pos: Int64, _ value: T) -> EventBytes {
        // Our own Encodable models always encode; "{}" keeps the frame well-formed regardless.
        let json = (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        return SSEFrame.encode(id: String(pos), event: name.rawValue, data: json)
    }
}
