import Foundation
import Testing

@testable import HTTP

@Suite struct LoggerTests {
    typealias F = RoutingFixtures

    /// Each captured line parsed as one JSON object.
    private func objects(_ log: F.CapturedLog) throws -> [[String: Any]] {
        try log.lines.map { line in
            #expect(line.hasSuffix("\n"))
            #expect(line.dropLast().contains("\n") == false)
            return try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        }
    }

    @Test func writesOneJSONObjectPerLineWithTheFixedKeys() throws {
        let log = F.CapturedLog()
        log.logger(label: "chat-api").info("hello \"world\"\nnext", ["status": 200, "ok": true, "ratio": 0.5, "route": "/v1/me"])
        let object = try #require(try objects(log).first)
        #expect(object["level"] as? String == "info")
        #expect(object["label"] as? String == "chat-api")
        #expect(object["message"] as? String == "hello \"world\"\nnext")
        #expect(object["status"] as? Int == 200)
        #expect(object["ok"] as? Bool == true)
        #expect(object["ratio"] as? Double == 0.5)
        #expect(object["route"] as? String == "/v1/me")
        let time = try #require(object["time"] as? String)
        #expect(time.wholeMatch(of: /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z/) != nil)
    }

    @Test func formatsTimeAsRFC3339WithMilliseconds() {
        let logger = Logger(label: "t", output: LogOutput { _ in })
        func time(_ seconds: Int, _ milliseconds: Int) -> String {
            String(decoding: logger.line(.info, "m", [:], seconds: seconds, milliseconds: milliseconds), as: UTF8.self)
        }
        #expect(time(1_795_608_000, 7).hasPrefix(#"{"time":"2026-11-25T12:00:00.007Z","level":"info","label":"t","message":"m"}"#))
        #expect(time(0, 999).hasPrefix(#"{"time":"1970-01-01T00:00:00.999Z""#))
        #expect(time(253_402_300_799, 0).hasPrefix(#"{"time":"9999-12-31T23:59:59.000Z""#))
    }

    @Test func escapesControlCharactersQuotesAndBackslashes() throws {
        let log = F.CapturedLog()
        let tricky = "a\u{0}b\u{1F}c\"d\\e\r\tf\u{7F}é😀"
        log.logger().info(tricky, ["k\"ey": .string(tricky)])
        let line = try #require(log.lines.first)
        #expect(line.contains(#"a\u0000b\u001fc\"d\\e\r\tf"#))
        let object = try #require(try objects(log).first)
        #expect(object["message"] as? String == tricky)
        #expect(object["k\"ey"] as? String == tricky)
    }

    @Test func dropsLinesBelowTheLevel() {
        let log = F.CapturedLog()
        let logger = log.logger(level: .warning)
        logger.debug("a")
        logger.info("b")
        logger.warning("c")
        logger.error("d")
        #expect(log.lines.count == 2)
        #expect(!logger.isEnabled(.info))
    }

    @Test func withFieldsAddsToEveryLineAndCallFieldsWin() throws {
        let log = F.CapturedLog()
        let logger = log.logger().withFields(["request_id": "r1", "user": "u1"])
        logger.info("x", ["user": "u2"])
        let object = try #require(try objects(log).first)
        #expect(object["request_id"] as? String == "r1")
        #expect(object["user"] as? String == "u2")
    }

    @Test func fieldsNamedLikeFixedKeysDoNotOverrideThem() throws {
        let log = F.CapturedLog()
        log.logger().info("real", ["message": "fake", "level": "error"])
        let object = try #require(try objects(log).first)
        #expect(object["message"] as? String == "real")
        #expect(object["level"] as? String == "info")
        #expect(object["field.message"] as? String == "fake")
    }

    @Test func nonFiniteNumbersStayValidJSON() throws {
        let log = F.CapturedLog()
        log.logger().info("x", ["v": .double(.nan)])
        #expect(try objects(log).first?["v"] as? String == "nan")
    }

    @Test func redactsAccessTokensInTargets() {
        #expect(Logger.redactingQuery("/v1/stream?access_token=abc.def&conversation_id=1")
            == "/v1/stream?access_token=[redacted]&conversation_id=1")
        #expect(Logger.redactingQuery("/v1/stream?x=1&Access_Token=abc") == "/v1/stream?x=1&Access_Token=[redacted]")
        #expect(Logger.redactingQuery("/v1/stream?access%5Ftoken=abc") == "/v1/stream?access%5Ftoken=[redacted]")
        #expect(Logger.redactingQuery("/v1/stream?access_%74oken=abc") == "/v1/stream?access_%74oken=[redacted]")
        #expect(Logger.redactingQuery("/v1/stream?access_token") == "/v1/stream?access_token=[redacted]")
        #expect(Logger.redactingQuery("access_token=abc&a=b") == "access_token=[redacted]&a=b")
        #expect(Logger.redactingQuery("/v1/me?limit=5") == "/v1/me?limit=5")
        #expect(Logger.redactingQuery("/v1/me?token_hint=1") == "/v1/me?token_hint=1")
    }

    @Test func neverWritesATokenInAnyField() throws {
        let log = F.CapturedLog()
        log.logger().info("GET /v1/stream?access_token=s3cret", [
            "target": "/v1/stream?access_token=s3cret", "authorization": "Bearer s3cret", "Token": "s3cret",
        ])
        let line = try #require(log.lines.first)
        #expect(!line.contains("s3cret"))
        #expect(line.contains(#""authorization":"[redacted]""#))
    }

    @Test func logLevelFromEnvironment() throws {
        #expect(try LogLevel.fromEnvironment([:]) == .info)
        #expect(try LogLevel.fromEnvironment(["LOG_LEVEL": "DEBUG"]) == .debug)
        #expect(try LogLevel.fromEnvironment(["LOG_LEVEL": "warn"]) == .warning)
        #expect(try LogLevel.fromEnvironment(["LOG_LEVEL": " error "]) == .error)
        #expect(throws: EnvironmentSettingError.self) { try LogLevel.fromEnvironment(["LOG_LEVEL": "verbose"]) }
    }

    @Test func descriptorOutputWritesWholeLinesFromManyThreads() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("logger-\(UUID().uuidString).jsonl").path
        let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        try #require(descriptor >= 0)
        defer { unlink(path) }
        let logger = Logger(label: "fd-test", output: .fileDescriptor(descriptor))
        let padding = String(repeating: "x", count: 300)
        await withTaskGroup(of: Void.self) { group in
            for task in 0..<4 {
                group.addTask {
                    for index in 0..<50 { logger.info("line", ["task": .int(task), "i": .int(index), "pad": .string(padding)]) }
                }
            }
        }
        close(descriptor)
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 200)
        for line in lines {
            #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) is [String: Any])
        }
    }
}
