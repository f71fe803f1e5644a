import Foundation
import Models
import Postgres
import Testing
@testable import ChatGateway

/// The access rule lives in the schema (`chat.visible_conversations`, sql/005_visibility.sql)
/// and, for the routing cache, in `Audience.admits`. On a generated population both must give
/// the answer the rule's definition gives, for every user and conversation.
@Suite("Visibility: the schema's rule and the gateway's in-memory rule agree")
struct VisibilityAgreementTests {
    /// A small deterministic generator, so a failing population can be rebuilt from its seed.
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func next(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
        mutating func chance(_ percent: Int) -> Bool { next(100) < percent }
    }

    @Test("random users, admins, inactive users, circles with and without chats, memberships, direct chats", arguments: [1, 2, 3])
    func agreeOnGeneratedPopulation(seed: UInt64) async throws {
        let world = try ChatWorld()
        defer { world.close() }
        var random = Generator(state: seed)
        let users = (0..<30).map { "p\($0)" }
        var admins = Set<String>()
        for user in users {
            let admin = random.chance(20)
            if admin { admins.insert(user) }
            try await world.user(user, admin: admin)
            if random.chance(20) { try await world.execute("UPDATE chat.users SET active = false WHERE id = \(user)") }
        }
        // Ground truth, from the rule's definition: conversation -> (kind, members).
        var expected: [String: (kind: ConversationKind, members: Set<String>)] = [:]
        for index in 0..<10 {
            let members = Set(users.filter { _ in random.chance(25) })
            let chat = try await world.circle("k\(index)", members: members.sorted(), chat: index < 8)
            if let chat { expected[chat] = (.circle, members) }
        }
        var pairs = Set<[String]>()
        while pairs.count < 20 {
            let a = users[random.next(users.count)], b = users[random.next(users.count)]
            guard a != b, pairs.insert([a, b].sorted()).inserted else { continue }
            expected[try await world.directChat(a, b)] = (.direct, [a, b])
        }
        // A membership change after the chat exists, both ways.
        let late = users[random.next(users.count)]
        if let id = expected.keys.sorted().first(where: { expected[$0]!.kind == .circle && !expected[$0]!.members.contains(late) }),
           let circle = try await circleID(of: id, world: world) {
            try await world.addMember(late, to: circle)
            expected[id]?.members.insert(late)
        }

        let log = EventLog(pool: world.pool)
        let audiences = try await log.audiences(of: expected.keys.map { UUID(uuidString: $0)! })
        for user in users {
            let isAdmin = admins.contains(user)
            let visibleInSQL = Set(try await world.pool.query("""
                SELECT id::text AS id FROM chat.visible_conversations(\(user), \(isAdmin))
                """).map { try $0.decode("id", as: String.self) })
            for (id, truth) in expected {
                let shouldSee = truth.members.contains(user) || (isAdmin && truth.kind == .circle)
                let audience = try #require(audiences[id])
                #expect(audience.admits(user, isAdmin: isAdmin) == shouldSee, "gateway: \(user) admin=\(isAdmin) \(truth.kind) \(id) seed \(seed)")
                #expect(visibleInSQL.contains(id) == shouldSee, "schema: \(user) admin=\(isAdmin) \(truth.kind) \(id) seed \(seed)")
            }
            #expect(visibleInSQL.isSubset(of: Set(expected.keys)))
        }
        // The per-conversation check the gateway makes before a stream opens, on a sample.
        for _ in 0..<40 {
            let user = users[random.next(users.count)]
            let id = expected.keys.sorted()[random.next(expected.count)]
            let truth = expected[id]!
            let isAdmin = admins.contains(user)
            let seen = try await log.canSee(Viewer(id: user, role: isAdmin ? .admin : .member), conversation: UUID(uuidString: id)!)
            #expect(seen == (truth.members.contains(user) || (isAdmin && truth.kind == .circle)))
        }
    }

    private func circleID(of conversation: String, world: ChatWorld) async throws -> String? {
        try await world.pool.query("SELECT circle_id FROM chat.conversations WHERE id = \(conversation)::uuid")
            .first?.decode("circle_id", as: String?.self)
    }
}
