import ChatAPI
import Foundation
import HTTP
import Testing

/// docs/openapi.json is kept in step with the routes the service registers.
@Suite
struct OpenAPITests {
    static let document = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("docs/openapi.json")

    static func load() throws -> [String: Any] {
        let value = try JSONSerialization.jsonObject(with: Data(contentsOf: document))
        return try #require(value as? [String: Any])
    }

    @Test("every registered route is in docs/openapi.json, and every operation there is a registered route")
    func routesMatchDocument() throws {
        let configuration = try ChatAPIConfiguration(environment: [
            "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none", "CHAT_SERVICE_KEY": "0123456789abcdef", "CHAT_ATTACHMENT_SECRET": "attachment-secret-for-tests-0123456789",
        ])
        let service = ChatAPIService(configuration: configuration, logger: Logger(label: "test", level: .error))
        let registered = Set(service.router.routes.map { "\($0.method.rawValue) \($0.template)" })
        let paths = try #require(try Self.load()["paths"] as? [String: [String: Any]])
        let methods: Set<String> = ["get", "put", "post", "patch", "delete", "head", "options"]
        let documented = Set(paths.flatMap { path, item in item.keys.filter(methods.contains).map { "\($0.uppercased()) \(path)" } })
        #expect(registered.subtracting(documented).sorted() == [], "registered but not documented")
        #expect(documented.subtracting(registered).sorted() == [], "documented but not registered")
        #expect(registered.count >= 26)
    }

    @Test("the document is OpenAPI 3.1 and every $ref points at something it defines")
    func referencesResolve() throws {
        let document = try Self.load()
        #expect((document["openapi"] as? String)?.hasPrefix("3.1") == true)
        var references: [String] = []
        func walk(_ value: Any) {
            if let object = value as? [String: Any] {
                if let reference = object["$ref"] as? String { references.append(reference) }
                object.values.forEach(walk)
            } else if let array = value as? [Any] {
                array.forEach(walk)
            }
        }
        walk(document)
        #expect(!references.isEmpty)
        for reference in Set(references) {
            var node: Any? = document
            for part in reference.dropFirst(2).split(separator: "/") { node = (node as? [String: Any])?[String(part)] }
            #expect(node != nil, "\(reference) does not resolve")
        }
    }
}
