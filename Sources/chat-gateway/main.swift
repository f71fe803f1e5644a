import ChatGateway
import HTTP

// chat-gateway: the fan-out gateway (API.md, "The stream"). Settings from the environment
// (GatewaySettings); runs until SIGTERM, then ends streams with a retry hint and exits 0.
let logger = Logger(label: "chat-gateway", level: (try? LogLevel.fromEnvironment()) ?? .info)
await ServiceRunner.run(name: "chat-gateway", logger: logger) {
    let settings = try GatewaySettings.fromEnvironment()
    return GatewayService(settings: settings, logger: Logger(label: "chat-gateway", level: settings.logLevel))
}
