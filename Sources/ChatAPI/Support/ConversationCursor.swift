import Foundation
import HTTP
import Models

/// The opaque `cursor` of `GET /v1/conversations`: the position of the last item of a page in
/// the list order (`last_activity_at` newest first, then id). Keyset pagination: the next page
/// starts strictly after that position, so an item is never repeated or skipped because others
/// were added in front (a conversation with new activity moves to the top, where the stream
/// reports it). Microseconds keep PostgreSQL's full timestamp precision.
///
/// The text is 24 bytes in base64url, 32 characters without padding: the activity in
/// microseconds since 1970 (8 bytes, big-endian, two's complement), then the id's 16 bytes.
/// Every such text is a position, so openapi.json can state the format exactly
/// (`^[A-Za-z0-9_-]{32}$`) and anything else is a 400.
struct ConversationCursor: Equatable, Sendable {
    var activityMicroseconds: Int64
    var id: UUID

    static let encodedLength = 32

    /// Positions outside years 1-9999 are clamped to them: no conversation is active there, so
    /// the page is the same, and PostgreSQL never sees a timestamp out of its range.
    static let activityRange: ClosedRange<Int64> = -62_135_596_800_000_000...253_402_300_799_999_999

    init(activityMicroseconds: Int64, id: UUID) {
        self.activityMicroseconds = activityMicroseconds
        self.id = id
    }

    var encoded: String {
        var bytes = withUnsafeBytes(of: activityMicroseconds.bigEndian) { Array($0) }
        bytes += withUnsafeBytes(of: id.uuid) { Array($0) }
        return Base64URL.encode(Data(bytes))
    }

    /// Reads a cursor: any 32 characters of base64url; anything else is a 400.
    init(encoded text: String) throws(APIError) {
        guard text.utf8.count == Self.encodedLength, let data = Base64URL.decode(text), data.count == 24 else {
            throw APIError.badRequest("query parameter \"cursor\" is not a cursor this API returned")
        }
        let bytes = [UInt8](data)
        let activity = Int64(bitPattern: bytes[0..<8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
        var uuid: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &uuid) { $0.copyBytes(from: bytes[8..<24]) }
        self.init(activityMicroseconds: min(max(activity, Self.activityRange.lowerBound), Self.activityRange.upperBound),
                  id: UUID(uuid: uuid))
    }
}
