/// How a new stream starts (docs/stream.md, guarantees on `Last-Event-ID`).
enum ResumePlan: Sendable, Equatable {
    /// No `Last-Event-ID`: live from the gateway's current position.
    case live
    /// Replay what concerns the client after this position, then go live.
    case replay(after: Int64)
    /// The events after the client's position are gone (pruned, past the retention window) or
    /// the position was never issued: send `reset` (its id: `position`, the newest position
    /// when the request was checked, or the gateway's own if that is newer), then go live
    /// after it. What happened up to then the client refetches through the API.
    case reset(reason: String, position: Int64)

    /// `reset` reason when the events after the client's position are no longer kept.
    static let expiredReason = "expired"
    /// `reset` reason when the client's position is newer than any event (a restored or
    /// replaced database).
    static let unknownPositionReason = "unknown_position"

    /// Chooses the plan for a client that sent `lastEventID`, given what the log holds after it.
    static func decide(lastEventID: Int64, point: ResumePoint) -> ResumePlan {
        if lastEventID > point.latest { return .reset(reason: unknownPositionReason, position: point.latest) }
        if lastEventID == point.latest { return .replay(after: lastEventID) }
        guard let next = point.next, next == lastEventID + 1, !point.nextExpired else {
            return .reset(reason: expiredReason, position: point.latest)
        }
        return .replay(after: lastEventID)
    }
}
