import Foundation
import HTTP
import Models

/// The opaque `cursor` of `GET /v1/conversations`: the position of the last item of a page in
/// the list order (`last_activity_at` newest first, then id), as base64url text. Keyset
/// pagination: the next page starts strictly after that position, so an item is never repeated
/// or skipped because others were added in front (a conversation with new activity moves to the
/// top, where the stream reports it). Microseconds keep PostgreSQL's full timestamp precision.
struct ConversationCursor: Equatable, Sendable {
    var activityMicroseconds: Int64
    var id: UUID

    private static let version = "c1"

    var encoded: String {
        let text = "\(Self.version):\(activityMicroseconds):\(id.uuidString.lowercased())"
        return Base64URL.encode(Data(text.utf8))
    }

    init(activityMicroseconds: Int64, id: UUID) {
        self.activityMicroseconds = activityMicroseconds
        self.id = id
    }

    /// Reads a cursor this service made; anything else is a 400.
    init(encoded text: String) throws(APIError) {
        let invalid = APIError.badRequest("query parameter \"cursor\" is not a cursor this API returned")
        guard text.utf8.count <= 128, let data = Base64URL.decode(text), let decoded = String(data: data, encoding: .utf8) else {
            throw invalid
        }
        let parts = decoded.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == Self.version, let micros = Int64(parts[1]),
              let id = UUID(uuidString: String(parts[2]))
        else { throw invalid }
        self.init(activityMicroseconds: micros, id: id)
    }
}
