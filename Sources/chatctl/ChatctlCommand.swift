import ChatStore

/// A parsed `chatctl` command line. Hand-written (the project takes no package dependencies):
/// a command word, its operands, `--flag VALUE` or `--flag=VALUE`, and `--help` anywhere.
enum ChatctlCommand: Equatable {
    case help(Topic)
    case migrate
    case seedDemo
    case token(userID: String, ttlSeconds: Int)
    case prune(olderThanHours: Int)
    case seedSearch(messages: Int, conversations: Int)
    case seedScale(messages: Int, users: Int, conversations: Int)

    /// What `--help` explains: everything, or one command.
    enum Topic: String, CaseIterable {
        case overview = ""
        case migrate
        case seedDemo = "seed-demo"
        case token
        case prune
        case seedSearch = "seed-search"
        case seedScale = "seed-scale"
    }

    /// Parses the arguments after the program name.
    /// - Throws: `UsageError` naming what is wrong.
    static func parse(_ arguments: [String]) throws(UsageError) -> ChatctlCommand {
        guard let word = arguments.first else {
            throw UsageError("no command given", topic: .overview)
        }
        var rest = Array(arguments.dropFirst())
        if ["-h", "--help", "help"].contains(word) {
            guard let name = rest.first else { return .help(.overview) }
            guard let topic = Topic(rawValue: name), topic != .overview else {
                throw UsageError("unknown command \(name)", topic: .overview)
            }
            return .help(topic)
        }
        guard let topic = Topic(rawValue: word), topic != .overview else {
            throw UsageError("unknown command \(word)", topic: .overview)
        }
        if rest.contains(where: { $0 == "--help" || $0 == "-h" }) { return .help(topic) }
        switch topic {
        case .overview:
            return .help(.overview)
        case .migrate:
            try expectNothingMore(rest, topic: topic)
            return .migrate
        case .seedDemo:
            try expectNothingMore(rest, topic: topic)
            return .seedDemo
        case .token:
            let ttl = try takeInteger("--ttl", from: &rest, in: Sessions.ttlRange, topic: topic) ?? Sessions.defaultTTL
            guard let userID = rest.first, !userID.hasPrefix("-") else {
                throw UsageError(rest.first.map { "unknown option \($0)" } ?? "USER_ID is missing", topic: topic)
            }
            try expectNothingMore(Array(rest.dropFirst()), topic: topic)
            return .token(userID: userID, ttlSeconds: ttl)
        case .prune:
            let hours = try takeInteger("--older-than-hours", from: &rest, in: 0...876_000, topic: topic)
                ?? Int(Pruner.defaultRetention.components.seconds / 3600)
            try expectNothingMore(rest, topic: topic)
            return .prune(olderThanHours: hours)
        case .seedSearch:
            let messages = try takeInteger("--messages", from: &rest, in: 1...100_000_000, topic: topic) ?? 1_000_000
            let conversations = try takeInteger("--conversations", from: &rest, in: 1...1_000_000, topic: topic) ?? 10_000
            try expectNothingMore(rest, topic: topic)
            return .seedSearch(messages: messages, conversations: conversations)
        case .seedScale:
            let messages = try takeInteger("--messages", from: &rest, in: 1...100_000_000, topic: topic) ?? 10_000_000
            let users = try takeInteger("--users", from: &rest, in: 100...10_000_000, topic: topic) ?? 100_000
            let conversations = try takeInteger("--conversations", from: &rest, in: 20...2_000_000, topic: topic) ?? 20_000
            try expectNothingMore(rest, topic: topic)
            return .seedScale(messages: messages, users: users, conversations: conversations)
        }
    }

    /// Removes `--name VALUE` or `--name=VALUE` from `arguments` and returns VALUE as an integer.
    private static func takeInteger(
        _ name: String, from arguments: inout [String], in range: ClosedRange<Int>, topic: Topic
    ) throws(UsageError) -> Int? {
        guard let index = arguments.firstIndex(where: { $0 == name || $0.hasPrefix(name + "=") }) else {
            return nil
        }
        let text: String
        if arguments[index] == name {
            guard index + 1 < arguments.count else { throw UsageError("\(name) needs a value", topic: topic) }
            text = arguments[index + 1]
            arguments.removeSubrange(index...(index + 1))
        } else {
            text = String(arguments[index].dropFirst(name.count + 1))
            arguments.remove(at: index)
        }
        guard let value = Int(text), range.contains(value) else {
            throw UsageError("\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound), not \(text)", topic: topic)
        }
        return value
    }

    private static func expectNothingMore(_ arguments: [String], topic: Topic) throws(UsageError) {
        if let extra = arguments.first {
            throw UsageError("unexpected argument \(extra)", topic: topic)
        }
    }
}
