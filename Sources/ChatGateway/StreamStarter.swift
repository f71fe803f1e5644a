import ChatStore
import Foundation
import HTTP
import Models

/// Brings one newly opened stream live (docs/stream.md: resume with no gap and no
/// duplicate at the seam):
///
/// 1. `attach` it to the hub *held*: from that instant every live event for it is kept aside,
///    and the hub answers the position it had routed up to (`through`);
/// 2. replay from `chat.events` what concerns the user in (`Last-Event-ID`, `through`], or send
///    `reset` (then nothing up to its id is sent);
/// 3. send `id: <floor>` alone (no data: browsers record it as the last event id without
///    dispatching anything), so a client that drops before its first event resumes from there;
/// 4. `activate`: the held events after the replay are sent in order and the stream goes live.
struct StreamStarter: Sendable {
    let hub: FanOutHub
    let log: EventLog
    let metrics: GatewayMetrics
    let logger: Logger

    func start(_ stream: EventStream, identity: AuthenticatedSession, query: StreamQuery, plan: ResumePlan) async {
        let subscription = Subscription(stream: stream, userID: identity.user.id, sessionID: identity.sessionID,
                                        expiresAt: identity.expiresAt, conversationFilter: query.conversationText)
        guard let through = await hub.attach(subscription, role: identity.user.role) else {
            stream.close()
            return
        }
        let id = subscription.id
        stream.onClose { [hub] in Task { await hub.detach(id) } }
        var floor = through
        switch plan {
        case .live:
            break
        case .reset(let reason, let position):
            metrics.resets.increment()
            floor = max(through, position)
            stream.send(EventFrames.reset(pos: floor, reason: reason))
        case .replay(let after):
            floor = max(after, through)
            do {
                try await replay(to: stream, viewer: identity.viewer, conversation: query.conversation, after: after, through: through)
            } catch {
                logger.warning("replay failed; the client will resume", ["error": .string(String(describing: error))])
                await hub.close(subscription)
                return
            }
        }
        if case .reset = plan {} else {
            // Tell the client where it stands before anything concerns it: a connection that
            // drops before its first event then resumes from here instead of from nothing.
            stream.send(EventFrames.position(floor))
        }
        await hub.activate(id, floor: floor)
    }

    /// Sends what concerns `viewer` in (`after`, `through`], in position order, batch by batch.
    /// Stops early when the stream closes (the client resumes from what it received).
    private func replay(to stream: EventStream, viewer: Viewer, conversation: UUID?, after: Int64, through: Int64) async throws {
        var from = after
        while from < through {
            let batch = try await log.replay(for: viewer, conversation: conversation, after: from, through: through)
            for event in batch {
                guard let frame = EventFrames.frame(event, for: viewer) else { continue }
                guard stream.send(frame) else { return }
                metrics.replayedEvents.increment()
            }
            guard batch.count == EventLog.batchSize, let last = batch.last else { return }
            from = last.pos
        }
    }
}
