import Foundation

extension HTTPRequest {
    /// Decodes the body as `T`, mapping every failure to the docs/api.md error a client should see:
    ///
    /// | problem | answer |
    /// |---|---|
    /// | `Content-Type` not `application/json` (a `charset` other than UTF-8 included), or missing on a non-empty body | 415 `unsupported_media_type` |
    /// | body not UTF-8 | 400 `bad_request` |
    /// | not JSON, empty, trailing bytes, top level not an object | 400 `bad_request` |
    /// | a required member missing, `null`, of the wrong type or an unusable value | 422 `invalid`, `field` = its path (`user_ids[1]`, `circle.name`) |
    ///
    /// Unknown members are ignored (docs/api.md). What the values mean (lengths, control
    /// characters in a message body) is the caller's to check: a `\u0000` escape decodes fine.
    public func decodeJSON<T: Decodable>(_ type: T.Type) throws(APIError) -> T {
        try JSONBody.checkMediaType(headers["Content-Type"], bodyIsEmpty: body.isEmpty)
        guard JSONBody.isValidUTF8(body) else { throw .badRequest("the body is not valid UTF-8") }
        let document: JSONValue
        do {
            document = try JSONParser.parse(body)
        } catch {
            throw .badRequest("the body is not valid JSON: \(error.reason) at byte \(error.offset)")
        }
        guard case .object = document else { throw .badRequest("the body must be a JSON object") }
        do {
            return try T(from: JSONValueDecoder(value: document, codingPath: []))
        } catch let error as DecodingError {
            throw JSONBody.apiError(for: error)
        } catch let error as APIError {
            throw error
        } catch {
            throw APIError(status: 422, code: "invalid", message: "the body is not valid")  // a type's own error: no member to name
        }
    }
}

/// The checks and error mapping behind `HTTPRequest.decodeJSON`.
enum JSONBody {
    /// `application/json`, parameters allowed (`; charset=utf-8`), media type case-insensitive
    /// (RFC 9110 §8.3.1). A body-less request without a type passes, to fail as "not JSON".
    static func checkMediaType(_ contentType: String?, bodyIsEmpty: Bool) throws(APIError) {
        guard let contentType else {
            if bodyIsEmpty { return }
            throw .unsupportedMediaType("a request body needs Content-Type: application/json")
        }
        let parts = contentType.utf8.split(separator: UInt8(ascii: ";"), omittingEmptySubsequences: false).map(Substring.init)
        guard String(trimmingOWS(parts[0])).caseInsensitiveEquals("application/json") else {
            throw .unsupportedMediaType()
        }
        for parameter in parts.dropFirst() {
            let pair = parameter.utf8.split(separator: UInt8(ascii: "="), maxSplits: 1).map(Substring.init)
            guard pair.count == 2, String(trimmingOWS(pair[0])).caseInsensitiveEquals("charset") else { continue }
            var value = trimmingOWS(pair[1])
            if value.count >= 2, value.first == "\"", value.last == "\"" { value = value.dropFirst().dropLast() }
            guard String(value).caseInsensitiveEquals("utf-8") else {
                throw .unsupportedMediaType("the body must be UTF-8 application/json")
            }
        }
    }

    /// Without the optional white space (space, tab) of RFC 9110 §5.6.3 around it; cheaper
    /// than Foundation's trimming, which a request pays for on every body.
    private static func trimmingOWS(_ text: Substring) -> Substring {
        let isText: (UInt8) -> Bool = { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\t") }
        guard let first = text.utf8.firstIndex(where: isText), let last = text.utf8.lastIndex(where: isText) else { return "" }
        return text[first...last]
    }

    /// Well-formed UTF-8 (no overlong forms, surrogates or values past U+10FFFF), checked
    /// without copying; ASCII, the common case, costs one comparison per byte.
    static func isValidUTF8(_ bytes: [UInt8]) -> Bool {
        guard bytes.contains(where: { $0 >= 0x80 }) else { return true }
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue: continue
            case .emptyInput: return true
            case .error: return false
            }
        }
    }

    static func apiError(for error: DecodingError) -> APIError {
        switch error {
        case .keyNotFound(let key, let context):
            return invalid(context.codingPath + [key], "is required")
        case .valueNotFound(_, let context) where context.debugDescription == JSONValueDecoder.noMoreElements:
            return invalid(context.codingPath, "is required")
        case .valueNotFound(_, let context):
            return invalid(context.codingPath, "must not be null")
        case .typeMismatch(let type, let context):
            return invalid(context.codingPath, expectation(type))
        case .dataCorrupted(let context):
            return invalid(context.codingPath, "has an invalid value")
        @unknown default:
            return invalid([], "is not valid")
        }
    }

    /// 422 naming the member; a type's own `init(from:)` may fail at the top, which names none.
    private static func invalid(_ codingPath: [any CodingKey], _ problem: String) -> APIError {
        let field = path(codingPath)
        if field.isEmpty { return APIError(status: 422, code: "invalid", message: "the body \(problem)") }
        return .invalid(field, "\(field) \(problem)")
    }

    /// `members[2].id`: member names joined by dots, array positions in brackets.
    static func path(_ codingPath: [any CodingKey]) -> String {
        var out = ""
        for key in codingPath {
            if let index = key.intValue, key.stringValue == "Index \(index)" {
                out += "[\(index)]"
            } else {
                if !out.isEmpty { out += "." }
                out += key.stringValue
            }
        }
        return out
    }

    /// What the member should have been, in JSON's words (never a Swift type name).
    private static func expectation(_ type: Any.Type) -> String {
        switch type {
        case is String.Type, is Substring.Type, is Character.Type: "must be a string"
        case is Bool.Type: "must be a boolean"
        case is any BinaryInteger.Type: "must be an integer"
        case is any BinaryFloatingPoint.Type, is Decimal.Type: "must be a number"
        case is [String: Any].Type: "must be an object"
        case is [Any].Type: "must be an array"
        default: "has the wrong type"
        }
    }
}
