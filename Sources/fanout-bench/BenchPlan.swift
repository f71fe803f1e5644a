import Foundation

/// The population a run uses, written by `scripts/bench-fanout` from the database:
/// `G <group> <conversation_id>` lines (one per circle chat) and `S <group> <token>` lines (one
/// per subscriber: a member of that circle and their session token).
struct BenchPlan {
    struct Subscriber {
        let group: Int
        let token: String
    }

    var conversations: [Int: String] = [:]
    var subscribers: [Subscriber] = []

    init(path: String) {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { fail("cannot read plan \(path)") }
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count == 3, let group = Int(fields[1]) else { continue }
            if fields[0] == "G" { conversations[group] = String(fields[2]) }
            if fields[0] == "S" { subscribers.append(Subscriber(group: group, token: String(fields[2]))) }
        }
    }
}
