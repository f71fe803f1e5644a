import Foundation
import Testing
import TestSupport

/// One client of `GET /v1/stream` in a test: opens it (asserting 200), reads events, and says
/// what it received in the terms tests check (event names, message seqs, positions).
struct TestStream {
    let client: HTTPTestClient

    /// Opens a stream with `token` in the `access_token` parameter (as EventSource does) and
    /// `query` appended; fails the test unless the answer is 200 `text/event-stream`.
    static func open(port: Int, token: String, query: String = "", headers: [(String, String)] = [],
                     receiveBufferSize: Int? = nil) async throws -> TestStream {
        let client = try HTTPTestClient(port: port, receiveBufferSize: receiveBufferSize)
        let head = try await client.openEventStream("/v1/stream?access_token=\(token)\(query)", headers: headers)
        try #require(head.status == 200, "stream refused: \(head.status)")
        #expect(head.header("Content-Type")?.hasPrefix("text/event-stream") == true)
        let first = try await client.nextBlock()
        #expect(first?.retry == 2000, "the first frame is retry: 2000")
        return TestStream(client: client)
    }

    /// The answer to a stream request that must be refused (status and error code).
    static func refusal(port: Int, path: String, headers: [(String, String)] = []) async throws -> HTTPTestResponse {
        try await HTTPTestClient.request(port: port, "GET", path, headers: headers)
    }

    /// The next event with data; fails the test if none comes within `timeout` or the stream ends.
    func next(timeout: Duration = .seconds(5)) async throws -> SSEEvent {
        try #require(try await client.nextEvent(timeout: timeout), "the stream ended")
    }

    /// The next `count` events.
    func next(_ count: Int, timeout: Duration = .seconds(10)) async throws -> [SSEEvent] {
        var events: [SSEEvent] = []
        for _ in 0..<count { events.append(try await next(timeout: timeout)) }
        return events
    }

    /// Fails the test if an event with data arrives within `window`.
    func expectNothing(for window: Duration = .milliseconds(800)) async throws {
        do {
            if let event = try await client.nextEvent(timeout: window) {
                Issue.record("unexpected event \(event.event ?? "") \(event.data ?? "")")
            }
        } catch is HTTPTestError {
            // timed out: nothing came, as expected
        }
    }

    /// True when the server closes the stream within `timeout`.
    func closes(within timeout: Duration = .seconds(5)) async throws -> Bool {
        try await client.waitForClose(timeout: timeout)
    }
}

extension SSEEvent {
    /// The `id:` as a position.
    var position: Int64? { id.flatMap { Int64($0) } }

    /// The data as a JSON object.
    var json: [String: Any] {
        guard let data, let object = try? JSONSerialization.jsonObject(with: Data(data.utf8)) as? [String: Any] else { return [:] }
        return object
    }

    /// `message.created`'s `message.seq`.
    var messageSeq: Int64? { ((json["message"] as? [String: Any])?["seq"] as? NSNumber)?.int64Value }
    /// `message.system.type` of a system message's `message.created`.
    var systemType: String? { (((json["message"] as? [String: Any])?["system"]) as? [String: Any])?["type"] as? String }

    /// `conversation_id` of the data, or of `conversation` for `conversation.*` events.
    var conversationID: String? {
        json["conversation_id"] as? String ?? (json["conversation"] as? [String: Any])?["id"] as? String
    }
}
