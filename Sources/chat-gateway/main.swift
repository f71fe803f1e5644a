import ChatGateway
import Foundation
import HTTP

// chat-gateway: the fan-out gateway (docs/stream.md). Settings from the environment
// (GatewayConfiguration); runs until SIGTERM, then ends streams with a retry hint and exits 0.
let logger = Logger(label: "chat-gateway", level: (try? LogLevel.fromEnvironment()) ?? .info)
await ServiceRunner.run(name: "chat-gateway", logger: logger) {
    let configuration = try GatewayConfiguration(environment: ProcessInfo.processInfo.environment)
    return GatewayService(configuration: configuration, logger: Logger(label: "chat-gateway", level: configuration.logLevel))
}
