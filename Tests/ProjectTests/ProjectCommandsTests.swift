import Foundation
import Testing

/// The two commands (scripts/test, scripts/run), CI's entry point and the README that
/// documents them and every configuration variable the code reads.
@Suite("Project commands and README")
struct ProjectCommandsTests {
    @Test func ciRunCallsExactlyScriptsTest() throws {
        let script = try ProjectFile.text(".ci/run")
        #expect(script.hasPrefix("#!/usr/bin/env bash\n") || script.hasPrefix("#!/bin/bash\n"))
        #expect(script.contains("set -euo pipefail"))
        let commands = script.split(separator: "\n")
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") && !$0.hasPrefix("set ") && !$0.hasPrefix("cd ") }
        #expect(commands == ["exec scripts/test"])
    }

    @Test(arguments: [".ci/run", "scripts/test", "scripts/run", "scripts/soak", "scripts/check-ops"])
    func entryPointsAreExecutable(path: String) {
        #expect(ProjectFile.isExecutable(path), "\(path) is missing or not executable")
    }

    @Test func runScriptSignsInAsAnAdminOfTheDemoSeed() throws {
        let script = try ProjectFile.text("scripts/run")
        let directory = try ProjectFile.text("Sources/ChatStore/Demo/DemoDirectory.swift")
        let match = try #require(script.firstMatch(of: try Regex(#"DEMO_ADMIN_ID="\$\{DEMO_ADMIN_ID:-([^}]+)\}""#)))
        let adminID = try #require(match.output[1].substring)
        let admins = try #require(directory.firstMatch(of: try Regex(#"static let admins = \[([^\]]*)\]"#)))
        #expect(admins.output[1].substring?.contains("\"\(adminID)\"") == true,
                "scripts/run signs in as \(adminID), not one of the demo's admins")
    }

    @Test func makefileTargetsCallTheScripts() throws {
        let makefile = try ProjectFile.text("Makefile")
        #expect(makefile.contains("test:\n\tscripts/test"))
        #expect(makefile.contains("run:\n\tscripts/run"))
    }

    @Test func readmeNamesBothCommands() throws {
        let readme = try ProjectFile.text("README.md")
        #expect(readme.contains("scripts/test"))
        #expect(readme.contains("scripts/run"))
    }

    @Test func readmeDocumentsEveryConfigurationVariableTheSourcesRead() throws {
        let readme = try ProjectFile.text("README.md")
        let variables = try ConfigurationVariables.inSources()
        #expect(variables.contains("DATABASE_URL"))
        let undocumented = variables.sorted().filter { !readme.contains("`\($0)`") }
        #expect(undocumented == [], "README.md's configuration lacks these variables")
    }

    @Test func variableScannerFindsLookupsHelpersAndPrefixedNames() throws {
        let source = """
            let url = ProcessInfo.processInfo.environment["DATABASE_URL"]
            let level = env["LOG_LEVEL"] ?? "info"
            let raw = getenv("API_PORT")
            let pool = try settings.integer("DB_POOL_SIZE", default: 10, in: 1...200)
            let beat = try env.decimal( "SSE_HEARTBEAT_SECONDS", default: 15, in: 0.05...3600)
            throw EnvironmentSettingError(name: "BIND_HOST", expected: "an address")
            let knob = tuning.value(for: "CHAT_EXTRA_KNOB")
            let header = request.headers["X-REQUEST-ID"]
            let method = router.add("GET_ALL")
            """
        let found = try ConfigurationVariables.read(in: source).sorted()
        #expect(found == [
            "API_PORT", "BIND_HOST", "CHAT_EXTRA_KNOB", "DATABASE_URL", "DB_POOL_SIZE", "LOG_LEVEL",
            "SSE_HEARTBEAT_SECONDS",
        ])
    }
}
