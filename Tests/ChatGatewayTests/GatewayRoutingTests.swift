import Foundation
import Testing
import TestSupport

@Suite("Gateway routing: each event reaches exactly the streams allowed to see it", .serialized)
struct GatewayRoutingTests {
    @Test("both participants of a direct chat get a message inserted with plain SQL; a non-participant gets nothing")
    func directChat() async throws {
        try await withGateway { world, gateway in
            try await world.user("admin", admin: true)
            try await world.user("ada")
            try await world.user("bob")
            let chat = try await world.directChat("admin", "ada")
            let admin = try await gateway.openStream(world, token: try await world.token("admin"))
            let ada = try await gateway.openStream(world, token: try await world.token("ada"))
            let bob = try await gateway.openStream(world, token: try await world.token("bob"))

            try await world.message(chat, from: "admin", "hello Ada")

            for stream in [admin, ada] {
                let event = try await stream.next()
                #expect(event.event == "message.created")
                #expect(event.conversationID == chat)
                #expect(event.messageSeq == 1)
                #expect((event.json["message"] as? [String: Any])?["body"] as? String == "hello Ada")
            }
            try await bob.expectNothing()
        }
    }

    @Test("a circle chat reaches every member and every admin, and no one else")
    func circleChat() async throws {
        try await withGateway { world, gateway in
            for id in ["m1", "m2", "outsider"] { try await world.user(id) }
            try await world.user("boss", admin: true)
            let chat = try #require(try await world.circle("c1", members: ["m1", "m2"]))
            var streams: [TestStream] = []
            for id in ["m1", "m2", "boss"] { streams.append(try await gateway.openStream(world, token: try await world.token(id))) }
            let outsider = try await gateway.openStream(world, token: try await world.token("outsider"))

            try await world.message(chat, from: "m1", "hi circle")

            for stream in streams {
                let event = try await stream.next()
                #expect(event.event == "message.created")
                #expect(event.conversationID == chat)
            }
            try await outsider.expectNothing()
        }
    }

    @Test("a member added mid-stream gets conversation.created then messages; a removed one gets conversation.removed then nothing")
    func membershipChanges() async throws {
        try await withGateway { world, gateway in
            for id in ["stay", "joiner", "leaver"] { try await world.user(id) }
            let chat = try #require(try await world.circle("c1", members: ["stay", "leaver"]))
            let joiner = try await gateway.openStream(world, token: try await world.token("joiner"))
            let leaver = try await gateway.openStream(world, token: try await world.token("leaver"))
            let stay = try await gateway.openStream(world, token: try await world.token("stay"))

            // seq 1 is the chat_created system message; each membership change writes one more.
            try await world.message(chat, from: "stay", "before")
            #expect(try await leaver.next().messageSeq == 2)
            #expect(try await stay.next().messageSeq == 2)
            try await joiner.expectNothing(for: .milliseconds(300))

            try await world.addMember("joiner", to: "c1")
            let created = try await joiner.next()
            #expect(created.event == "conversation.created")
            #expect(created.conversationID == chat)
            #expect((created.json["conversation"] as? [String: Any])?["title"] as? String == "Circle c1")
            for stream in [joiner, leaver, stay] {
                let added = try await stream.next()
                #expect(added.messageSeq == 3 && added.systemType == "members_added")
            }

            try await world.removeMember("leaver", from: "c1")
            let removed = try await leaver.next()
            #expect(removed.event == "conversation.removed")
            #expect(removed.conversationID == chat)
            for stream in [joiner, stay] {
                let gone = try await stream.next()
                #expect(gone.messageSeq == 4 && gone.systemType == "members_removed")
            }

            try await world.message(chat, from: "stay", "after")
            #expect(try await joiner.next().messageSeq == 5)
            #expect(try await stay.next().messageSeq == 5)
            try await leaver.expectNothing()
        }
    }

    @Test("read.updated reaches all of the reader's tabs and no one else")
    func readUpdated() async throws {
        try await withGateway { world, gateway in
            try await world.user("admin", admin: true)
            try await world.user("ada")
            let chat = try await world.directChat("admin", "ada")
            let token = try await world.token("ada")
            let tab1 = try await gateway.openStream(world, token: token)
            let tab2 = try await gateway.openStream(world, token: try await world.token("ada"))
            let admin = try await gateway.openStream(world, token: try await world.token("admin"))

            try await world.readUpdated(chat, by: "ada", seq: 0)

            for tab in [tab1, tab2] {
                let event = try await tab.next()
                #expect(event.event == "read.updated")
                #expect(event.conversationID == chat)
                #expect(event.json["last_read_seq"] as? Int == 0)
            }
            try await admin.expectNothing()
        }
    }

    @Test("conversation.created of a direct chat is rendered for each participant (title and peer)")
    func directConversationPerViewer() async throws {
        try await withGateway { world, gateway in
            try await world.user("admin", admin: true)
            try await world.user("ada")
            let admin = try await gateway.openStream(world, token: try await world.token("admin"))
            let ada = try await gateway.openStream(world, token: try await world.token("ada"))

            let chat = try await world.directChat("admin", "ada")

            let seenByAdmin = try await admin.next().json["conversation"] as? [String: Any]
            let seenByAda = try await ada.next().json["conversation"] as? [String: Any]
            #expect(seenByAdmin?["id"] as? String == chat)
            #expect((seenByAdmin?["peer"] as? [String: Any])?["id"] as? String == "ada")
            #expect((seenByAda?["peer"] as? [String: Any])?["id"] as? String == "admin")
            #expect(seenByAda?["title"] as? String == "Name admin")
            #expect(seenByAda?["unread_count"] == nil, "stream conversations carry no per-user fields")
        }
    }

    @Test("conversation_id narrows a stream to that conversation")
    func conversationFilter() async throws {
        try await withGateway { world, gateway in
            try await world.user("admin", admin: true)
            try await world.user("ada")
            let first = try await world.directChat("admin", "ada")
            let second = try #require(try await world.circle("c1", members: ["ada"]))
            let narrow = try await gateway.openStream(world, token: try await world.token("ada"), query: "&conversation_id=\(first.uppercased())")

            try await world.message(second, from: "ada", "elsewhere")
            try await world.message(first, from: "admin", "here")

            let event = try await narrow.next()
            #expect(event.conversationID == first)
            #expect(event.messageSeq == 1)
            try await narrow.expectNothing(for: .milliseconds(300))
        }
    }
}
