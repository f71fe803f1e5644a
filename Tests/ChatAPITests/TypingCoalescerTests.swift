import Testing

@testable import ChatAPI

/// docs/api.md, typing: one notice per 2 s per user and conversation, and at most a few a second
/// per conversation (a busy circle), the rest accepted and coalesced.
@Suite
struct TypingCoalescerTests {
    let start = ContinuousClock.now

    @Test("a user's second call within 2 s is coalesced; after 2 s it is sent again; other conversations are apart")
    func perUser() {
        let coalescer = TypingCoalescer()
        #expect(coalescer.shouldSend(user: "ada", conversation: "c1", now: start))
        #expect(!coalescer.shouldSend(user: "ada", conversation: "c1", now: start + .milliseconds(1_999)))
        #expect(coalescer.shouldSend(user: "ada", conversation: "c2", now: start + .milliseconds(10)))
        #expect(coalescer.shouldSend(user: "grace", conversation: "c1", now: start + .milliseconds(20)))
        #expect(coalescer.shouldSend(user: "ada", conversation: "c1", now: start + .seconds(2)))
    }

    @Test("a busy conversation relays at most 4 notices a second; a coalesced typist is sent in a later second")
    func perConversation() {
        let coalescer = TypingCoalescer()
        let typists = (0..<10).map { "u\($0)" }
        let first = typists.filter { coalescer.shouldSend(user: $0, conversation: "all-staff", now: start + .milliseconds(100)) }
        #expect(first == ["u0", "u1", "u2", "u3"])
        #expect(coalescer.shouldSend(user: "u9", conversation: "elsewhere", now: start + .milliseconds(200)))
        #expect(!coalescer.shouldSend(user: "u4", conversation: "all-staff", now: start + .milliseconds(900)))
        #expect(coalescer.shouldSend(user: "u4", conversation: "all-staff", now: start + .milliseconds(1_100)))
        #expect(!coalescer.shouldSend(user: "u0", conversation: "all-staff", now: start + .milliseconds(1_200)))
    }

    @Test("a call that would be coalesced skips the access check only while the last allowed check is under 10 s old")
    func withoutCheck() {
        let coalescer = TypingCoalescer()
        #expect(!coalescer.coalescesWithoutCheck(user: "ada", conversation: "c1", now: start))  // never checked
        #expect(coalescer.shouldSend(user: "ada", conversation: "c1", now: start))
        #expect(coalescer.coalescesWithoutCheck(user: "ada", conversation: "c1", now: start + .seconds(1)))
        #expect(!coalescer.coalescesWithoutCheck(user: "ada", conversation: "c1", now: start + .seconds(3)))  // would be sent
        for user in ["u1", "u2", "u3", "u4"] { #expect(coalescer.shouldSend(user: user, conversation: "c1", now: start + .seconds(3))) }
        #expect(!coalescer.shouldSend(user: "ada", conversation: "c1", now: start + .milliseconds(3_100)))  // 4 this second
        #expect(coalescer.coalescesWithoutCheck(user: "ada", conversation: "c1", now: start + .milliseconds(3_200)))
        #expect(!coalescer.coalescesWithoutCheck(user: "ada", conversation: "c1", now: start + .milliseconds(13_200)))  // check is stale
        #expect(!coalescer.coalescesWithoutCheck(user: "grace", conversation: "c1", now: start + .milliseconds(3_200)))
    }
}
