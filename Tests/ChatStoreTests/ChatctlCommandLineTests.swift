import ChatStore
import Foundation
import Testing

@Suite("chatctl command line")
struct ChatctlCommandLineTests {
    @Test("--help works overall and per command, without a database")
    func help() async throws {
        for arguments in [["--help"], ["help"], ["migrate", "--help"], ["token", "--help"], ["help", "prune"], ["seed-demo", "-h"]] {
            let outcome = try await ChatctlProcess.run(arguments, environment: [:])
            #expect(outcome.status == 0, "\(arguments): \(outcome.stderr)")
            #expect(outcome.stdout.contains("Usage: chatctl"), "\(arguments)")
        }
    }

    @Test("every error is exit status 1 and one line on stderr", arguments: [
        ([String](), "no command"), (["frob"], "unknown command frob"), (["token"], "USER_ID"),
        (["token", "u1", "--ttl", "5"], "--ttl"), (["prune", "--older-than-hours"], "needs a value"),
        (["migrate", "extra"], "unexpected argument"),
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
}
