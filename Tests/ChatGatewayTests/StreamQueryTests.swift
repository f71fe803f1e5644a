import Foundation
import HTTP
import Testing
@testable import ChatGateway

@Suite("Stream query: credentials, Last-Event-ID and conversation filter parsing")
struct StreamQueryTests {
    private func request(query: [(String, String)] = [], headers: [(String, String)] = []) -> HTTPRequest {
        HTTPRequest(method: .GET, target: "/v1/stream", path: "/v1/stream",
                    query: QueryParameters(query.map { (name: $0.0, value: $0.1) }),
                    headers: HTTPHeaders(headers.map { (name: $0.0, value: $0.1) }))
    }

    @Test("the bearer header and the access_token parameter both carry the token; the header wins")
    func tokenSources() throws {
        #expect(try StreamQuery(request(query: [("access_token", "q")])).token == "q")
        #expect(try StreamQuery(request(query: [("access_token", "q")], headers: [("Authorization", "Bearer h")])).token == "h")
    }

    @Test("no token is 401")
    func missingToken() {
        #expect(throws: APIError.unauthorized("a session token is required (Authorization: Bearer, or access_token)")) {
            try StreamQuery(request(query: [("access_token", "")]))
        }
    }

    @Test("Last-Event-ID header wins over the last_event_id parameter")
    func lastEventIDSources() throws {
        let both = try StreamQuery(request(query: [("access_token", "t"), ("last_event_id", "5")], headers: [("Last-Event-ID", "9")]))
        #expect(both.lastEventID == 9)
        #expect(try StreamQuery(request(query: [("access_token", "t"), ("last_event_id", "5")])).lastEventID == 5)
        #expect(try StreamQuery(request(query: [("access_token", "t")])).lastEventID == nil)
    }

    @Test("non-integer, negative, empty or huge Last-Event-ID values are 400", arguments: ["x", "-1", "", "1.5", "+3", "9999999999999999999", "0x10"])
    func badLastEventID(_ value: String) {
        #expect(throws: APIError.self) { try StreamQuery(request(query: [("access_token", "t")], headers: [("Last-Event-ID", value)])) }
        let error = try? #require(throws: APIError.self) { try StreamQuery(request(query: [("access_token", "t"), ("last_event_id", value)])) }
        #expect(error?.status == 400)
        #expect(error?.code == "bad_request")
    }

    @Test("conversation_id must be a UUID (any case) or it is 400")
    func conversationFilter() throws {
        let upper = try StreamQuery(request(query: [("access_token", "t"), ("conversation_id", "7C0E2A4B-1111-4222-8333-444455556666")]))
        #expect(upper.conversationText == "7c0e2a4b-1111-4222-8333-444455556666")
        let error = try? #require(throws: APIError.self) { try StreamQuery(request(query: [("access_token", "t"), ("conversation_id", "nope")])) }
        #expect(error?.status == 400)
    }
}
