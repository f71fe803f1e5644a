import Foundation
import Testing

/// What the on-call engineer gets (issue 9): alert rules that each carry a `for:` and a
/// `runbook_url` that lands on a section of docs/runbook.md, the alerts the operations need,
/// a dashboard that parses, and the scripts that check them. `scripts/check-ops` runs the
/// checks that need tools or running services (promtool, the metric coverage, the soak).
@Suite("Operations kit: alerts, runbook, dashboard")
struct OperationsKitTests {
    static let rulesPath = "deploy/prometheus/chat-alerts.yml"

    /// Each `- alert:` item of the rules file, as (name, its text up to the next item).
    static func alertBlocks(_ text: String) throws -> [(name: String, block: String)] {
        let starts = text.matches(of: try Regex(#"(?m)^\s*- alert:\s*(\S+)\s*$"#))
        return starts.enumerated().map { index, match in
            let end = index + 1 < starts.count ? starts[index + 1].range.lowerBound : text.endIndex
            return (String(match.output[1].substring ?? ""), String(text[match.range.lowerBound..<end]))
        }
    }

    /// GitHub's anchor for a Markdown heading: lower case, spaces to dashes, other punctuation dropped.
    static func anchors(of markdown: String) -> Set<String> {
        Set(markdown.split(separator: "\n").filter { $0.hasPrefix("#") }.map { line in
            let title = line.drop(while: { $0 == "#" }).trimmingCharacters(in: .whitespaces).lowercased()
            return String(title.compactMap { character -> Character? in
                if character == " " { return "-" }
                return character.isLetter || character.isNumber || character == "-" || character == "_" ? character : nil
            })
        })
    }

    @Test func everyAlertHasAForClauseAndARunbookSection() throws {
        let rules = try ProjectFile.text(Self.rulesPath)
        let runbook = try ProjectFile.text("docs/runbook.md")
        let anchors = Self.anchors(of: runbook)
        let blocks = try Self.alertBlocks(rules)
        #expect(blocks.count >= 12)
        for (name, block) in blocks {
            #expect(block.contains(try Regex(#"\n\s+for: \d+[smh]\n"#)), "\(name) has no for:")
            let link = try #require(block.firstMatch(of: try Regex(#"runbook_url: docs/runbook\.md#([a-z0-9_-]+)"#)),
                                    "\(name) has no runbook_url into docs/runbook.md")
            let anchor = String(link.output[1].substring ?? "")
            #expect(anchors.contains(anchor), "\(name) links #\(anchor), which docs/runbook.md lacks")
            #expect(anchor == name.lowercased(), "\(name) should link its own section")
        }
    }

    @Test func theAlertsTheOperatorsAskedForExist() throws {
        let names = Set(try Self.alertBlocks(try ProjectFile.text(Self.rulesPath)).map(\.name))
        let wanted: Set = [
            "ChatHigh5xxRatio", "ChatUnavailableAnswers", "ChatSendLatencyHigh", "ChatReadLatencyHigh",
            "ChatDBPoolWaiters", "ChatGroupCommitSlow", "ChatDeliveryLagHigh", "ChatListenerDisconnected",
            "ChatFileDescriptorsNearLimit", "ChatSlowConsumerDisconnects", "ChatEventLogPastRetention",
            "ChatRateLimitRefusals",
        ]
        #expect(wanted.subtracting(names).isEmpty, "missing alerts: \(wanted.subtracting(names).sorted())")
    }

    @Test func everyRunbookAlertSectionSaysWhatItMeansWhereToLookTheFixAndWhyItsThreshold() throws {
        let runbook = try ProjectFile.text("docs/runbook.md")
        let sections = runbook.components(separatedBy: "\n### ").dropFirst()
        let names = try Self.alertBlocks(try ProjectFile.text(Self.rulesPath)).map(\.name)
        for name in names {
            let section = try #require(sections.first { $0.hasPrefix(name + "\n") }, "docs/runbook.md has no ### \(name)")
            #expect(section.contains("**Means**"), "\(name): what it means")
            #expect(section.contains("**Look at**\n1. ") && section.contains("\n2. ") && section.contains("\n3. "),
                    "\(name): the first three things to look at")
            #expect(section.contains("**Fix**"), "\(name): the fix")
            #expect(section.contains("\nThreshold: "), "\(name): why its threshold")
        }
        for task in ["### Rotate CHAT_SERVICE_KEY", "### Revoke every session of a user", "### Prune events",
                     "### Restore from a backup"] {
            #expect(runbook.contains("\n\(task)\n"), "docs/runbook.md lacks \(task)")
        }
    }

    @Test func theRunbooksQueriesUseTheDBAViews() throws {
        let runbook = try ProjectFile.text("docs/runbook.md")
        let views = try ProjectFile.text("sql/003_views.sql")
            .matches(of: try Regex(#"CREATE OR REPLACE VIEW (chat\.[a-z_]+)"#)).compactMap { $0.output[1].substring.map(String.init) }
        #expect(views.count >= 4)
        let used = views.filter { runbook.contains("FROM \($0)") }
        #expect(used.count >= 4, "the runbook queries only \(used) of the DBA views")
    }

    @Test func alertRuleTestsCoverTheImportantAlerts() throws {
        let tests = try ProjectFile.text("deploy/prometheus/chat-alerts.test.yml")
        #expect(tests.contains("rule_files:\n  - chat-alerts.yml"))
        for alert in ["ChatHigh5xxRatio", "ChatUnavailableAnswers", "ChatSendLatencyHigh", "ChatDeliveryLagHigh",
                      "ChatListenerDisconnected", "ChatFileDescriptorsNearLimit", "ChatDBPoolWaiters",
                      "ChatEventLogPastRetention"] {
            #expect(tests.contains("alertname: \(alert)\n        exp_alerts:\n          - exp_labels"),
                    "chat-alerts.test.yml never expects \(alert) to fire")
        }
    }

    @Test func dashboardQueriesBothServicesAndThePool() throws {
        let data = try #require(try ProjectFile.text("deploy/grafana/chat-dashboard.json").data(using: .utf8))
        let dashboard = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let panels = try #require(dashboard["panels"] as? [[String: Any]])
        let expressions = panels.flatMap { ($0["targets"] as? [[String: Any]] ?? []).compactMap { $0["expr"] as? String } }
        #expect(expressions.count >= 20)
        for needle in ["job=\"chat-api\"", "job=\"chat-gateway\"", "db_pool_waiters", "db_pool_connections_in_use",
                       "http_request_duration_seconds_bucket", "chat_gateway_delivery_lag_seconds_bucket"] {
            #expect(expressions.contains { $0.contains(needle) }, "no panel queries \(needle)")
        }
    }

    @Test func testCommandRunsTheOperationsChecks() throws {
        let test = try ProjectFile.text("scripts/test")
        #expect(test.contains("bash scripts/check-ops \"$BIN_DIR\""))
        #expect(test.contains("prometheus"), "scripts/test must install promtool (Debian's prometheus)")
        let checks = try ProjectFile.text("scripts/check-ops")
        for step in ["promtool check rules", "promtool test rules", "metric_coverage.py", "chmod 0700", "kill -INT",
                     "scripts/soak"] {
            #expect(checks.contains(step), "scripts/check-ops lacks \(step)")
        }
    }

    @Test func readmeSaysHowToStartOver() throws {
        let readme = try ProjectFile.text("README.md")
        #expect(readme.contains("`scripts/run --reset`"))
        #expect(try ProjectFile.text("scripts/run").contains("--reset) RESET=1"))
    }
}
