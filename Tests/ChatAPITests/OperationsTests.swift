import Foundation
import Testing
import TestSupport

/// `/healthz`, `/readyz`, `/metrics`, the reference UI, unknown paths and methods.
@Suite(.chatAPI())
struct OperationsTests {
    @Test("healthz and readyz answer 200 while the database is reachable")
    func probes() async throws {
        let api = try harness()
        let health = try await api.call("GET", "/healthz")
        try expectStatus(health, 200)
        #expect(try health.object()["status"] as? String == "ok")
        let ready = try await api.call("GET", "/readyz")
        try expectStatus(ready, 200)
        #expect(try ready.object()["status"] as? String == "ready")
    }

    @Test("metrics: requests, latency, pool use, batch sizes and commit latency in Prometheus text")
    func metrics() async throws {
        let api = try harness()
        let admin = try await api.user(.admin)
        try await api.sent(admin, try await api.directChat(admin, try await api.user()), "counted")
        let response = try await api.call("GET", "/metrics")
        try expectStatus(response, 200)
        #expect(response.header("Content-Type")?.hasPrefix("text/plain") == true)
        for name in ["http_requests_total", "http_request_duration_seconds_bucket", "db_pool_connections_open", "db_pool_connections_in_use",
                     "db_pool_waiters", "chat_send_batch_size_bucket", "chat_send_commit_seconds_bucket", "chat_messages_stored_total"] {
            #expect(response.text.contains(name), "\(name) missing")
        }
        #expect(response.text.contains("route=\"/v1/conversations/{id}/messages\""))
    }

    @Test("the reference UI: / is index.html, files by path with their types, no-cache, ETag revalidation")
    func staticFiles() async throws {
        let api = try harness()
        let index = try await api.call("GET", "/")
        try expectStatus(index, 200)
        #expect(index.header("Content-Type") == "text/html; charset=utf-8")
        #expect(index.header("Cache-Control") == "no-cache")
        #expect(index.text.lowercased().contains("<html"))
        let direct = try await api.call("GET", "/index.html")
        #expect(direct.body == index.body)
        let etag = try #require(index.header("ETag"))
        let revalidated = try await api.call("GET", "/", headers: [("If-None-Match", etag)])
        #expect(revalidated.status == 304)
        #expect(revalidated.body.isEmpty)
        let public_ = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/ChatAPI/Public")
        let nested = try FileManager.default.contentsOfDirectory(atPath: public_.appendingPathComponent("js").path).filter { $0.hasSuffix(".js") }
        if let script = nested.first {
            let response = try await api.call("GET", "/js/\(script)")
            try expectStatus(response, 200)
            #expect(response.header("Content-Type") == "text/javascript; charset=utf-8")
        }
        let head = try await api.call("HEAD", "/")
        #expect(head.status == 200)
        #expect(head.body.isEmpty)
    }

    @Test("paths outside the UI's files are 404, traversal included")
    func noTraversal() async throws {
        let api = try harness()
        for path in ["/nope.html", "/../Package.swift", "/js/../../Package.swift", "/%2e%2e/Package.swift", "/js/%2e%2e%2fapp.css",
                     "/..%2f..%2fetc%2fpasswd", "/js", "/etc/passwd", "/a/b/c", "/.hidden"] {
            let response = try await api.call("GET", path)
            #expect(response.status == 404, "\(path): \(response.status) \(response.text)")
        }
    }

    @Test("an unknown path is 404 and a known path with another method is 405 with Allow, in the error shape")
    func routingErrors() async throws {
        let api = try harness()
        expectError(try await api.call("GET", "/v1/nothing-here"), 404, "not_found")
        let wrongMethod = try await api.call("DELETE", "/v1/unread", token: APIHarness.serviceKey)
        expectError(wrongMethod, 405, "method_not_allowed")
        #expect(wrongMethod.header("Allow")?.contains("GET") == true)
    }

    @Test("error bodies never leak SQL or internal names")
    func noLeaks() async throws {
        let api = try harness()
        let admin = try await api.user(.admin)
        let responses = [
            try await api.call("GET", "/v1/conversations/00000000-0000-4000-8000-000000000000", token: admin.token),
            try await api.call("POST", "/v1/conversations/direct", token: admin.token, json: #"{"user_id":"x'--"}"#),
            try await api.call("GET", "/v1/conversations?cursor=Zm9v", token: admin.token),
        ]
        for response in responses {
            let text = response.text.lowercased()
            for leak in ["select", "chat.", "postgres", "sqlstate", "swift", "constraint"] {
                #expect(!text.contains(leak), "\(leak) in \(response.text)")
            }
            #expect(try response.object().keys.sorted() == ["error"])
        }
    }
}
