import Foundation
import Testing
import TestSupport

/// JSON string quoting for request bodies built by hand.
enum JSONText {
    static func quote(_ text: String) -> String {
        let data = try! JSONSerialization.data(withJSONObject: [text], options: [.fragmentsAllowed])
        let array = String(decoding: data, as: UTF8.self)
        return String(array.dropFirst().dropLast())
    }
}

extension HTTPTestResponse {
    /// The body as a JSON object.
    func object(sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
        let value = try JSONSerialization.jsonObject(with: Data(body))
        return try #require(value as? [String: Any], "not a JSON object: \(text)", sourceLocation: sourceLocation)
    }

    /// `items` of a list body.
    func items(sourceLocation: SourceLocation = #_sourceLocation) throws -> [[String: Any]] {
        try #require(try object()["items"] as? [[String: Any]], "no items: \(text)", sourceLocation: sourceLocation)
    }

    /// `error.field` of an API error body.
    var errorField: String? {
        ((try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]).flatMap { ($0["error"] as? [String: Any])?["field"] as? String }
    }
}

/// Records an issue (with the body) unless `response` has `status`.
func expectStatus(_ response: HTTPTestResponse, _ status: Int, sourceLocation: SourceLocation = #_sourceLocation) throws {
    try expectStatus(response, [status], sourceLocation: sourceLocation)
}

func expectStatus(_ response: HTTPTestResponse, _ statuses: Set<Int>, sourceLocation: SourceLocation = #_sourceLocation) throws {
    try #require(statuses.contains(response.status), "status \(response.status), expected \(statuses.sorted()): \(response.text)",
                 sourceLocation: sourceLocation)
}

/// Expects an API error: status, code and (for 422) the field.
func expectError(_ response: HTTPTestResponse, _ status: Int, _ code: String, field: String? = nil,
                 sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(response.status == status, "body: \(response.text)", sourceLocation: sourceLocation)
    #expect(response.errorCode == code, "body: \(response.text)", sourceLocation: sourceLocation)
    if let field {
        #expect(response.errorField == field, "body: \(response.text)", sourceLocation: sourceLocation)
    }
}
