import Foundation
import HTTP

/// What a `GET /v1/stream` request asks for, validated before anything is read from the
/// database (docs/stream.md):
///
/// - the token: `Authorization: Bearer` or else the `access_token` parameter (EventSource
///   cannot set headers); none is 401;
/// - `Last-Event-ID`: the header, or else the `last_event_id` parameter (the header wins: a
///   browser's automatic reconnect sends the newer id in it while the URL keeps the first);
///   anything but 1-18 ASCII digits is 400 `bad_request`;
/// - `conversation_id`: a UUID, any case; anything else is 400 `bad_request` (a well-formed id
///   the user may not see is 404, decided later).
struct StreamQuery: Sendable, Equatable {
    var token: String
    var lastEventID: Int64?
    var conversation: UUID?

    init(_ request: HTTPRequest) throws(APIError) {
        guard let token = request.bearerToken ?? request.query["access_token"].flatMap({ $0.isEmpty ? nil : $0 }) else {
            throw .unauthorized("a session token is required (Authorization: Bearer, or access_token)")
        }
        self.token = token
        if let header = request.headers["Last-Event-ID"] {
            lastEventID = try StreamQuery.position(header, name: "Last-Event-ID")
        } else if let parameter = request.query["last_event_id"] {
            lastEventID = try StreamQuery.position(parameter, name: "last_event_id")
        }
        if let raw = request.query["conversation_id"] {
            guard let uuid = UUID(uuidString: raw) else {
                throw .badRequest("query parameter \"conversation_id\" must be a conversation id (a UUID)")
            }
            conversation = uuid
        }
    }

    /// The lowercase text PostgreSQL prints for the filter (what events carry).
    var conversationText: String? { conversation?.uuidString.lowercased() }

    private static func position(_ raw: String, name: String) throws(APIError) -> Int64 {
        let text = raw.trimmingCharacters(in: .whitespaces)
        guard (1...18).contains(text.utf8.count), text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
              let value = Int64(text) else {
            throw .badRequest("\(name) must be a non-negative integer: the id of the last event received")
        }
        return value
    }
}
