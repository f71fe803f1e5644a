// A minimal service on the HTTP engine for scripts/bench-http: `GET /tiny` answers 13 bytes,
// `POST /echo` returns the JSON body it was sent, `GET /stream` opens an event stream and
// `POST /broadcast` sends one event to every open stream, answering how long the sends took.
// Each answers at once (`Router.addImmediate`: on the event loop, no task).
// Configuration: PORT (default 8090), LOOPS (default one per core), LOG_LEVEL (default
// warning: no access lines).
import Dispatch
import Foundation
import HTTP
import Synchronization

let environment = ProcessInfo.processInfo.environment
var configuration = HTTPServerConfiguration()
configuration.port = Int(environment["PORT"] ?? "") ?? 8090
configuration.maxConnections = 60_000
if let loops = Int(environment["LOOPS"] ?? "") { configuration.loopCount = loops }

let level = (try? LogLevel.fromEnvironment(["LOG_LEVEL": environment["LOG_LEVEL"] ?? "warning"])) ?? .warning
let logger = Logger(label: "bench", level: level)
let metrics = MetricsRegistry()
let router = Router(logger: logger, metrics: metrics)
let tiny = Array("Hello, World!".utf8)
router.addImmediate(.GET, "/tiny") { _ in
    var headers = HTTPHeaders()
    headers.set("Content-Type", "text/plain")
    return HTTPResponse(status: 200, headers: headers, body: .bytes(tiny))
}
router.addImmediate(.POST, "/echo") { request in
    var headers = HTTPHeaders()
    headers.set("Content-Type", "application/json")
    return HTTPResponse(status: 200, headers: headers, body: .bytes(request.body))
}
let streams = Mutex<[Int: EventStream]>([:])
router.addImmediate(.GET, "/stream") { _ in
    .eventStream { stream in
        streams.withLock { $0[stream.id] = stream }
        stream.onClose { _ = streams.withLock { $0.removeValue(forKey: stream.id) } }
    }
}
router.addImmediate(.POST, "/broadcast") { _ in
    let event = SSEFrame.encode(id: "1", event: "bench", data: String(repeating: "e", count: 200))
    let targets = streams.withLock { Array($0.values) }
    let start = ContinuousClock.now
    for stream in targets { stream.send(event) }
    let elapsed = ContinuousClock.now - start
    let microseconds = elapsed.components.seconds * 1_000_000 + elapsed.components.attoseconds / 1_000_000_000_000
    return .text(200, "{\"streams\":\(targets.count),\"send_microseconds\":\(microseconds)}", contentType: "application/json")
}
router.addOperationalRoutes(metrics: metrics) { true }

let server = HTTPServer(configuration: configuration, router: router, logger: logger, metrics: metrics)
do {
    try server.start()
} catch {
    FileHandle.standardError.write(Data("http-bench-server: \(error)\n".utf8))
    exit(1)
}
FileHandle.standardOutput.write(Data("listening on \(configuration.host):\(server.boundPort)\n".utf8))

signal(SIGTERM, SIG_IGN)
signal(SIGINT, SIG_IGN)
let stopSignals = [SIGTERM, SIGINT].map { DispatchSource.makeSignalSource(signal: $0, queue: .global()) }
for source in stopSignals {
    source.setEventHandler { @Sendable in
        Task {
            await server.shutdown(timeout: .seconds(5))
            exit(0)
        }
    }
    source.resume()
}
dispatchMain()
