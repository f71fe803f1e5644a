import Dispatch
import Foundation
import Synchronization

/// SIGTERM and SIGINT as an async sequence, so a service's main can `await` the request to stop
/// and then shut down gracefully (the shape of swift-service-lifecycle's `UnixSignalsSequence`).
///
/// Installing replaces the default action (terminate at once) with Dispatch signal sources, so
/// the signal is a message, not a death. Install as early as possible: a signal that arrives
/// before installation still kills the process the old way.
public final class TerminationSignals {
    /// The signals that ask a service to stop: the platform's SIGTERM and a terminal's Ctrl-C.
    public static let handled: [Int32] = [SIGTERM, SIGINT]

    private let sources: [DispatchSourceSignal]
    private let stream: AsyncStream<Int32>

    /// Starts listening for SIGTERM and SIGINT.
    public init() {
        let (stream, continuation) = AsyncStream<Int32>.makeStream(bufferingPolicy: .unbounded)
        self.stream = stream
        let queue = DispatchQueue(label: "termination-signals")
        sources = Self.handled.map { number in
            signal(number, SIG_IGN)  // the source, not the default action, handles it now
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { continuation.yield(number) }
            source.resume()
            return source
        }
    }

    /// Waits for the next SIGTERM or SIGINT and returns its number.
    public func next() async -> Int32 {
        for await number in stream { return number }
        return SIGTERM
    }

    /// `"SIGTERM"`, `"SIGINT"`: for the log line that says why the service stops.
    public static func name(_ number: Int32) -> String {
        switch number {
        case SIGTERM: "SIGTERM"
        case SIGINT: "SIGINT"
        default: "signal \(number)"
        }
    }

    deinit {
        for source in sources { source.cancel() }
    }
}

// `DispatchSourceSignal` is a class protocol without a `Sendable` conformance on Linux; the
// sources are created once in `init`, never mutated and only cancelled in `deinit`.
extension TerminationSignals: @unchecked Sendable {}
