import ChatStore
import Foundation
import Testing

@Suite("chatctl command line")
struct ChatctlCommandLineTests {
    @Test("--help works overall and per command, without a database")
    func help() async throws {
        for arguments in [["--help"], ["help"], ["migrate", "--help"], ["token", "--help"], ["help", "prune"], ["seed-demo", "-h"],
                          ["seed-search", "--help"], ["seed-scale", "--help"], ["help", "seed-scale"]] {
            let outcome = try await ChatctlProcess.run(arguments, environment: [:])
            #expect(outcome.status == 0, "\(arguments): \(outcome.stderr)")
            #expect(outcome.stdout.contains("Usage: chatctl"), "\(arguments)")
        }
    }

    @Test("every error is exit status 1 and one line on stderr", arguments: [
        ([String](), "no command"), (["frob"], "unknown command frob"), (["token"], "USER_ID"),
        (["token", "u1", "--ttl", "5"], "--ttl"), (["prune", "--older-than-hours"], "needs a value"),
        (["migrate", "extra"], "unexpected argument"), (["seed-search", "--messages", "0"], "--messages"),
        (["seed-scale", "--users", "99"], "--users"), (["seed-scale", "--conversations=5"], "--conversations"),
        (["seed-scale", "--messages"], "needs a value"), (["seed-scale", "--circles", "3"], "unexpected argument"),
    ])
    func usageErrors(arguments: [String], mention: String) async throws {
        let outcome = try await ChatctlProcess.run(arguments, environment: ["DATABASE_URL": "postgres://x@127.0.0.1:1/x"])
        #expect(outcome.status == 1)
        #expect(outcome.stdout.isEmpty)
        #expect(outcome.stderr.hasPrefix("chatctl: ") && outcome.stderr.filter { $0 == "\n" }.count == 1, "\(outcome.stderr)")
        #expect(outcome.stderr.contains(mention), "\(outcome.stderr)")
    }

    @Test("without DATABASE_URL it names the variable; an unreachable server never shows the password")
    func databaseErrors() async throws {
        let missing = try await ChatctlProcess.run(["migrate"], environment: [:])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("DATABASE_URL") && missing.stderr.filter { $0 == "\n" }.count == 1)
        let unreachable = try await ChatctlProcess.run(
            ["token", "u1"], environment: ["DATABASE_URL": "postgres://chat:s3cr3t-pw@127.0.0.1:1/chat"])
        #expect(unreachable.status == 1)
        #expect(!unreachable.stderr.contains("s3cr3t-pw"))
        #expect(unreachable.stderr.filter { $0 == "\n" }.count == 1, "\(unreachable.stderr)")
    }

    @Test("migrate, seed-demo, token (only the token on stdout) and prune against a real database")
    func fullRun() async throws {
        try await StoreFixture.with(migrated: false) { fixture in
            let environment = ["DATABASE_URL": fixture.database.url]
            let migrate = try await ChatctlProcess.run(["migrate"], environment: environment)
            #expect(migrate.status == 0 && migrate.stdout.contains("applied 001_schema.sql"), "\(migrate.stderr)")
            let seed = try await ChatctlProcess.run(["seed-demo"], environment: environment)
            #expect(seed.status == 0 && seed.stdout.contains("38 users"), "\(seed.stderr)")

            let token = try await ChatctlProcess.run(["token", "admin-grace", "--ttl=600"], environment: environment)
            #expect(token.status == 0, "\(token.stderr)")
            let text = token.stdout.trimmingCharacters(in: .newlines)
            #expect(token.stdout == text + "\n" && text.count == 43)
            let session = try #require(try await Sessions(pool: fixture.pool).lookup(token: text))
            #expect(session.user.id == "admin-grace")
            #expect(abs(session.expiresAt.timeIntervalSinceNow - 600) < 30)

            let inactive = try await ChatctlProcess.run(["token", "user-viktor"], environment: environment)
            #expect(inactive.status == 1 && inactive.stderr == "chatctl: user user-viktor is inactive\n")

            let prune = try await ChatctlProcess.run(["prune", "--older-than-hours", "0"], environment: environment)
            #expect(prune.status == 0 && prune.stdout.hasPrefix("deleted "), "\(prune.stderr)")
            #expect(try await fixture.events().isEmpty)
        }
    }

    @Test("seed-search loads the search benchmark's set with COPY: seqs without gaps, counters, search vectors, the bench member in 20 circles, triggers back on")
    func seedSearch() async throws {
        try await StoreFixture.with(migrated: true) { fixture in
            let environment = ["DATABASE_URL": fixture.database.url]
            let seed = try await ChatctlProcess.run(["seed-search", "--messages", "3000", "--conversations", "40"], environment: environment)
            #expect(seed.status == 0 && seed.stdout.hasPrefix("loaded 3000 messages over 40 circle chats"), "\(seed.stderr)")
            let facts = try await fixture.pool.withConnection { conn in
                try conn.query("""
                    SELECT (SELECT count(*) FROM chat.messages WHERE kind = 'user' AND search_vector IS NOT NULL) AS indexed,
                           (SELECT count(*) FROM chat.conversations c
                             WHERE c.last_seq <> (SELECT count(*) FROM chat.messages m WHERE m.conversation_id = c.id)
                                OR c.last_seq <> (SELECT max(seq) FROM chat.messages m WHERE m.conversation_id = c.id)) AS broken,
                           (SELECT count(*) FROM chat.visible_conversations('bench-member', false)) AS bench_circles,
                           (SELECT count(*) FROM pg_trigger WHERE tgrelid = 'chat.messages'::regclass AND tgenabled = 'D') AS disabled
                    """)[0]
            }
            #expect(try facts.decode("indexed", as: Int.self) == 3000)
            #expect(try facts.decode("broken", as: Int.self) == 0)
            #expect(try facts.decode("bench_circles", as: Int.self) == 20)
            #expect(try facts.decode("disabled", as: Int.self) == 0)
            // The triggers work again: a message sent now gets the next seq and an event.
            let next = try await fixture.pool.withConnection { conn in
                try conn.query("""
                    INSERT INTO chat.messages (conversation_id, sender_id, body)
                    SELECT id, 'bench-member', 'after the load' FROM chat.conversations WHERE circle_id = 'bench-circle-1'
                    RETURNING seq
                    """)[0].decode("seq", as: Int64.self)
            }
            #expect(next == 3000 / 40 + 2, "the chat_created system message, 75 loaded, then this one")
        }
    }

    @Test("seed-scale loads the scale set with the sizes given and says what it loaded (ScaleSeedTests checks the set)")
    func seedScale() async throws {
        try await StoreFixture.with(migrated: true) { fixture in
            let environment = ["DATABASE_URL": fixture.database.url]
            let seed = try await ChatctlProcess.run(
                ["seed-scale", "--messages", "500", "--users=100", "--conversations", "20"], environment: environment)
            #expect(seed.status == 0 && seed.stdout.hasPrefix("loaded 500 messages over 20 conversations (8 circle chats, 12 direct chats) "
                + "and 100 users (10 admins); scale-member is in 8 circles and 10 direct chats"), "\(seed.stderr)")
            #expect(try await fixture.count("chat.messages") == 500 + 8)
        }
    }
}
