import Foundation
import HTTP

/// A position is never reused for a different event on a stream: when the database comes back
/// with a log that ends before the tail position (a restored backup, or a failover that lost
/// commits the gateway had streamed, which `waitUntilReplicated` is there to prevent), the
/// positions after its end will be given to new events. Every open stream then gets `reset`
/// (reason `unknown_position`, id the log's end) and is closed; its client resumes from there.
extension FanOutHub {
    func detectFork(from position: Int64) async throws {
        let latest = try await log.latestPosition()
        guard latest < position else { return }
        logger.warning("chat.events ends before the tail position: resetting every stream",
                       ["position": .int(Int(position)), "latest": .int(Int(latest))])
        let frame = EventFrames.reset(pos: latest, reason: ResumePlan.unknownPositionReason)
        for subscription in registry.byID.values {
            metrics.resets.increment()
            _ = subscription.stream.send(frame)
            close(subscription)
        }
        resetPosition(to: latest)
    }
}
