import Foundation
import Glibc

/// One benchmark run: open the streams, publish at the rate, then report (see main.swift).
func runBench(_ options: BenchOptions) throws {

    let plan = BenchPlan(path: options.plan)
    let groups = plan.conversations.keys.sorted().prefix(options.groups)
    let groupSet = Set(groups)
    let subscribers = Array(plan.subscribers.filter { groupSet.contains($0.group) }.prefix(options.streams))
    guard !subscribers.isEmpty, !groups.isEmpty else { fail("the plan has no subscribers or groups for these options") }
    let groupList = Array(groups)
    let total = Int(options.rate * (options.warmup + options.duration))
    let warmupCount = Int(options.rate * options.warmup)
    let text = String(repeating: "fan-out benchmark message, ", count: 4)
    // chat-api treats a repeated client_id as a retry (200, nothing stored): each run's ids are
    // its own. The receivers read the digits after "b" and stop at the "-".
    let runTag = String(UInt64(Date().timeIntervalSince1970 * 1000) % 100_000_000, radix: 36)

    func streamRequest(_ subscriber: BenchPlan.Subscriber) -> [UInt8] {
        switch options.target {
        case .gateway:
            Array("GET /v1/stream?access_token=\(subscriber.token) HTTP/1.1\r\nHost: \(options.host)\r\nAccept: text/event-stream\r\n\r\n".utf8)
        case .nchan:
            Array("GET /sub/g\(subscriber.group) HTTP/1.0\r\nHost: \(options.host)\r\nAccept: text/event-stream\r\n\r\n".utf8)
        }
    }

    func publishRequest(_ message: Int) -> [UInt8] {
        let group = groupList[message % groupList.count]
        let conversation = plan.conversations[group]!
        let path: String, body: String, auth: String
        switch options.target {
        case .gateway:
            path = "/v1/conversations/\(conversation)/messages"
            body = "{\"body\": \"\(text)\(message)\", \"client_id\": \"b\(message)-\(runTag)\"}"
            auth = "Authorization: Bearer \(options.apiToken)\r\n"
        case .nchan:
            // The same event chat-gateway would stream for this message (same size, same marker).
            path = "/pub/g\(group)"
            body = "{\"message\": {\"id\": \(message), \"seq\": \(message), \"body\": \"\(text)\(message)\", \"sender\": {\"id\": \"bench-admin\", "
                + "\"name\": \"Bench Admin\", \"avatar_url\": null}, \"client_id\": \"b\(message)-\(runTag)\", \"created_at\": \"2026-11-25T12:00:00.000Z\", "
                + "\"conversation_id\": \"\(conversation)\"}, \"conversation_id\": \"\(conversation)\"}"
            auth = ""
        }
        return Array("POST \(path) HTTP/1.1\r\nHost: \(options.host)\r\n\(auth)Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)".utf8)
    }

    // --- Open the streams. ---
    let idle = ServerSample(pids: options.serverPIDs)
    let perThread = (subscribers.count + options.receiverThreads - 1) / options.receiverThreads
    var receivers: [StreamReceiver] = []
    var threadSubscribers: [[BenchPlan.Subscriber]] = []
    for index in 0..<options.receiverThreads {
        let slice = Array(subscribers.dropFirst(index * perThread).prefix(perThread))
        threadSubscribers.append(slice)
        receivers.append(StreamReceiver(host: options.host, port: options.streamPort, groups: slice.map(\.group),
                                        maxMessages: total + 64) { streamRequest(slice[$0]) })
    }
    let receiversDone = DispatchGroup()
    for receiver in receivers {
        receiversDone.enter()
        Thread { receiver.run(); receiversDone.leave() }.start()
    }
    let openDeadline = monotonicNanoseconds() + 180_000_000_000
    func settled() -> (opened: Int, failed: Int) {
        receivers.reduce((0, 0)) { ($0.0 + $1.opened.load(ordering: .relaxed), $0.1 + $1.failed.load(ordering: .relaxed)) }
    }
    while settled().opened + settled().failed < subscribers.count, monotonicNanoseconds() < openDeadline { usleep(100_000) }
    let (opened, failedToOpen) = settled()
    usleep(1_000_000)
    let loaded = ServerSample(pids: options.serverPIDs)
    print("streams open: \(opened) of \(subscribers.count) (\(failedToOpen) refused); server RSS \(idle.residentKiB) -> \(loaded.residentKiB) KiB")

    // --- Publish at the rate, measuring the server's CPU over the measured part. ---
    let sender = MessageSender(host: options.host, port: options.publishPort, capacity: total) { publishRequest($0) }
    let interval = 1e9 / options.rate
    let start = monotonicNanoseconds() + 200_000_000
    let sendersDone = DispatchGroup()
    for connection in 0..<options.senderConnections {
        sendersDone.enter()
        Thread {
            sender.run(connection: connection, connections: options.senderConnections, count: total, start: start, interval: interval)
            sendersDone.leave()
        }.start()
    }
    sleep(until: start + Int64(Double(warmupCount) * interval))
    let measuredFrom = ServerSample(pids: options.serverPIDs)
    let measuredStart = monotonicNanoseconds()
    sendersDone.wait()
    let sendEnd = monotonicNanoseconds()
    let measuredTo = ServerSample(pids: options.serverPIDs)
    usleep(3_000_000)  // let the last deliveries arrive
    for receiver in receivers { receiver.stopping.store(true, ordering: .relaxed) }
    receiversDone.wait()

    // --- Results. ---
    let groupOfMessage = { (message: Int) in groupList[message % groupList.count] }
    // Two clocks per delivery: from the publisher's acknowledgement (what the server does after
    // the commit) and from the moment the request went out (what a person sees: end to end).
    var latencies = Percentiles(), endToEnd = Percentiles(), sends = Percentiles()
    var early = 0
    var measuredDeliveries = 0
    for receiver in receivers {
        for (index, message) in receiver.deliveredMessages.enumerated() where Int(message) >= warmupCount {
            measuredDeliveries += 1
            let acknowledged = sender.acknowledgedAt[Int(message)]
            guard acknowledged > 0 else { continue }
            let latency = receiver.deliveredAt[index] - acknowledged
            if latency < 0 { early += 1 }
            latencies.add(nanoseconds: max(0, latency))
            endToEnd.add(nanoseconds: receiver.deliveredAt[index] - sender.sentAt[Int(message)])
        }
    }
    for message in warmupCount..<total where sender.acknowledgedAt[message] > 0 {
        sends.add(nanoseconds: sender.acknowledgedAt[message] - sender.sentAt[message])
    }
    var expected = 0, missing = 0
    for (thread, receiver) in receivers.enumerated() {
        for (slot, subscriber) in threadSubscribers[thread].enumerated() where receiver.connections[slot].headDone {
            for message in 0..<total where groupOfMessage(message) == subscriber.group && sender.acknowledgedAt[message] > 0 {
                expected += 1
                if !receiver.received(slot, message) { missing += 1 }
            }
        }
    }
    let measuredSeconds = Double(sendEnd - measuredStart) / 1e9
    let cpuPercent = measuredSeconds > 0 ? (measuredTo.cpuSeconds - measuredFrom.cpuSeconds) / measuredSeconds * 100 : 0
    let duplicates = receivers.reduce(0) { $0 + $1.duplicates }
    let cut = receivers.reduce(0) { $0 + $1.closedByServer }
    let perStreamKiB = opened > 0 ? Double(loaded.residentKiB - idle.residentKiB) / Double(opened) : 0
    let result: [String: Any] = [
        "target": options.target.rawValue, "streams": opened, "refused": failedToOpen, "rate": options.rate,
        "groups": groupList.count, "messages": total, "publish_errors": sender.errors.load(ordering: .relaxed),
        "deliveries_per_second": (Double(measuredDeliveries) / options.duration).rounded(),
        "p50_ms": latencies.at(0.5), "p99_ms": latencies.at(0.99), "max_ms": latencies.max,
        "e2e_p50_ms": endToEnd.at(0.5), "e2e_p99_ms": endToEnd.at(0.99), "send_p50_ms": sends.at(0.5), "send_p99_ms": sends.at(0.99),
        "early": early, "expected": expected, "missing": missing, "duplicates": duplicates, "cut_by_server": cut,
        "server_cpu_percent": cpuPercent.rounded(), "server_rss_kib": loaded.residentKiB,
        "rss_per_stream_kib": (perStreamKiB * 10).rounded() / 10,
    ]
    print(String(format: "%@ %d streams, %.0f msg/s: %.0f deliveries/s, p50 %.1f ms, p99 %.1f ms, max %.1f ms (end to end p50 %.1f ms, p99 %.1f ms; send p50 %.1f ms), missing %d, duplicates %d, cut %d, server CPU %.0f%%, %.1f KiB/stream",
                 options.target.rawValue, opened, options.rate, Double(measuredDeliveries) / options.duration,
                 latencies.at(0.5), latencies.at(0.99), latencies.max, endToEnd.at(0.5), endToEnd.at(0.99), sends.at(0.5),
                 missing, duplicates, cut, cpuPercent, perStreamKiB))
    let json = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
    print("RESULT " + String(decoding: json, as: UTF8.self))
}

/// Latencies in milliseconds, sorted once on the first question.
struct Percentiles {
    private var values: [Double] = []
    private var sorted = true

    mutating func add(nanoseconds: Int64) {
        values.append(Double(nanoseconds) / 1e6)
        sorted = false
    }

    /// The `p` quantile (0...1), 0 without values.
    mutating func at(_ p: Double) -> Double {
        guard !values.isEmpty else { return 0 }
        if !sorted { values.sort(); sorted = true }
        return values[min(values.count - 1, Int(Double(values.count) * p))]
    }

    var max: Double { values.max() ?? 0 }
}
