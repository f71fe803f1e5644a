import Glibc
import Synchronization
import Testing
@testable import HTTP

/// Starts a real server on an ephemeral loopback port for one test, and always stops it.
func withServer<T>(_ configure: (inout HTTPServerConfiguration) -> Void = { _ in },
                   metrics: MetricsRegistry? = nil,
                   handler: @escaping @Sendable (HTTPRequest) async -> HTTPResponse = echo,
                   _ body: (HTTPServer) async throws -> T) async throws -> T {
    var configuration = HTTPServerConfiguration()
    configuration.port = 0
    configuration.loopCount = 2
    configure(&configuration)
    let server = HTTPServer(configuration: configuration, logger: Logger(label: "test", level: .error),
                            metrics: metrics, handler: handler)
    try server.start()
    do {
        let result = try await body(server)
        await server.shutdown(timeout: .seconds(2))
        return result
    } catch {
        await server.shutdown(timeout: .seconds(2))
        throw error
    }
}

/// Answers `METHOD path body-length request-id`, and sleeps first for `/sleep/<ms>`.
@Sendable func echo(_ request: HTTPRequest) async -> HTTPResponse {
    if request.path.hasPrefix("/sleep/"), let milliseconds = Int(request.path.dropFirst("/sleep/".count)) {
        try? await Task.sleep(for: .milliseconds(milliseconds))
    }
    var headers = HTTPHeaders()
    headers.set("Content-Type", "text/plain")
    headers.set("X-Request-Id", request.requestID)
    return HTTPResponse(status: 200, headers: headers,
                        body: .bytes(Array("\(request.method) \(request.path) \(request.body.count)".utf8)))
}


/// The CPU time the calling thread has used: for cost bounds that a busy machine must not
/// break (it delays a thread, it does not make its work cost more).
func threadCPUTime() -> Duration {
    var now = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now)
    return .seconds(now.tv_sec) + .nanoseconds(now.tv_nsec)
}

/// A thread-safe list, for recording what handlers and callbacks saw.
final class Recorder<Element: Sendable>: Sendable {
    private let items = Mutex<[Element]>([])
    func append(_ item: Element) { items.withLock { $0.append(item) } }
    var all: [Element] { items.withLock { $0 } }
}

/// A thread-safe count.
final class TestCount: Sendable {
    private let storage = Atomic<Int>(0)
    func increment() { storage.add(1, ordering: .relaxed) }
    var value: Int { storage.load(ordering: .relaxed) }
}
