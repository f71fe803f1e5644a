import HTTP
import Synchronization

/// How many uploads this process receives at once. Each holds at most a few hundred KiB
/// (its unread pieces and one chunk being stored), so the cap bounds the memory all uploads
/// together can take; past it an upload is refused at once with 503 and `Retry-After`.
final class UploadGate: Sendable {
    private let limit: Int
    private let running = Atomic<Int>(0)

    init(limit: Int) { self.limit = limit }

    /// Takes a place or throws 503; `release` it when the upload is done.
    func enter() throws(APIError) {
        if running.wrappingAdd(1, ordering: .relaxed).newValue <= limit { return }
        running.wrappingSubtract(1, ordering: .relaxed)
        throw APIError(status: 503, code: "unavailable", message: "too many uploads in progress; retry shortly",
                       headers: ["Retry-After": "2"])
    }

    func release() {
        running.wrappingSubtract(1, ordering: .relaxed)
    }
}
