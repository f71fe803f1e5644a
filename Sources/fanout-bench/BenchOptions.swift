/// Command line of `fanout-bench` (see `scripts/bench-fanout`, which drives it).
struct BenchOptions {
    enum Target: String { case gateway, nchan }

    var target = Target.gateway
    var plan = ""
    var host = "127.0.0.1"
    /// Where subscribers connect (the gateway, or nginx for nchan).
    var streamPort = 8081
    /// Where messages are published (chat-api, or nginx for nchan).
    var publishPort = 8080
    /// The admin session that sends through chat-api.
    var apiToken = ""
    var streams = 10_000
    /// Only the first `groups` groups of the plan receive messages (and their members connect).
    var groups = Int.max
    /// Messages per second, spread round-robin over the groups.
    var rate = 100.0
    var warmup = 2.0
    var duration = 10.0
    var receiverThreads = 2
    var senderConnections = 8
    /// The server's process ids (nginx: its workers), for CPU time and resident memory.
    var serverPIDs: [Int32] = []

    private static func number<T: LosslessStringConvertible>(_ text: String, _ name: String) -> T {
        guard let value = T(text) else { fail("\(name) needs a number, got \(text)") }
        return value
    }

    static func parse(_ arguments: [String]) -> BenchOptions {
        var options = BenchOptions()
        var index = 0
        func value() -> String {
            index += 1
            guard index < arguments.count else { fail("missing value after \(arguments[index - 1])") }
            return arguments[index]
        }
        while index < arguments.count {
            switch arguments[index] {
            case "--target": options.target = Target(rawValue: value()) ?? { fail("--target gateway|nchan") }()
            case "--plan": options.plan = value()
            case "--host": options.host = value()
            case "--stream-port": options.streamPort = number(value(), "--stream-port")
            case "--publish-port": options.publishPort = number(value(), "--publish-port")
            case "--api-token": options.apiToken = value()
            case "--streams": options.streams = number(value(), "--streams")
            case "--groups": options.groups = number(value(), "--groups")
            case "--rate": options.rate = number(value(), "--rate")
            case "--warmup": options.warmup = number(value(), "--warmup")
            case "--duration": options.duration = number(value(), "--duration")
            case "--receiver-threads": options.receiverThreads = number(value(), "--receiver-threads")
            case "--sender-connections": options.senderConnections = number(value(), "--sender-connections")
            case "--server-pid": options.serverPIDs = value().split(separator: ",").map { number(String($0), "--server-pid") }
            default: fail("unknown argument \(arguments[index])")
            }
            index += 1
        }
        guard !options.plan.isEmpty else { fail("--plan FILE is required") }
        return options
    }
}
