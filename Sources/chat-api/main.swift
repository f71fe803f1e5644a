import ChatAPI
import Foundation
import HTTP

// chat-api: the write API (docs/api.md). Settings from the environment (ChatAPIConfiguration, listed
// in docs/api.md); runs until SIGTERM/SIGINT, then finishes requests in flight and exits 0.
let logger = Logger(label: "chat-api", level: (try? LogLevel.fromEnvironment()) ?? .info)
await ServiceRunner.run(name: "chat-api", logger: logger) {
    let configuration = try ChatAPIConfiguration(environment: ProcessInfo.processInfo.environment)
    return ChatAPIService(configuration: configuration, logger: Logger(label: "chat-api", level: configuration.logLevel))
}
