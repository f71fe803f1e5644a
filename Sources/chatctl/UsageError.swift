/// A command line `chatctl` cannot run; the message says what is wrong and which help to read.
struct UsageError: Error, Equatable {
    var message: String
    var topic: ChatctlCommand.Topic

    init(_ message: String, topic: ChatctlCommand.Topic) {
        self.message = message
        self.topic = topic
    }

    /// The one line printed on stderr.
    var line: String {
        let help = topic == .overview ? "chatctl --help" : "chatctl \(topic.rawValue) --help"
        return "\(message) (see \(help))"
    }
}
