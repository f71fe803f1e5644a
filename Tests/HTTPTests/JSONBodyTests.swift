import Testing

@testable import HTTP

@Suite struct JSONBodyTests {
    typealias F = RoutingFixtures

    struct SendMessage: Decodable, Equatable {
        let body: String
        let client_id: String?
    }

    struct ReplaceMembers: Decodable {
        let user_ids: [String]
    }

    struct CreateCircle: Decodable {
        struct Settings: Decodable {
            let send_policy: Policy
            let limits: [Int]
        }
        enum Policy: String, Decodable { case all_members, admins_only }
        let name: String
        let settings: Settings
    }

    private func post(_ body: String, contentType: String? = "application/json") -> HTTPRequest {
        F.request(.POST, "/x", headers: contentType.map { [("Content-Type", $0)] } ?? [], body: body)
    }

    private func failure<T: Decodable>(_ request: HTTPRequest, as type: T.Type) -> APIError? {
        do { _ = try request.decodeJSON(type); return nil } catch { return error }
    }

    @Test func decodesAValidBodyIgnoringUnknownMembers() throws {
        let message = try post(#"{"body": "hi", "extra": {"x": [1, 2]}, "client_id": null}"#).decodeJSON(SendMessage.self)
        #expect(message == SendMessage(body: "hi", client_id: nil))
    }

    @Test(arguments: ["application/json", "application/json; charset=utf-8", "Application/JSON;charset=\"UTF-8\"", "application/json ; foo=bar"])
    func acceptsJSONMediaTypesWithParameters(contentType: String) throws {
        #expect(try post(#"{"body":"hi"}"#, contentType: contentType).decodeJSON(SendMessage.self).body == "hi")
    }

    @Test(arguments: ["text/plain", "application/x-www-form-urlencoded", "application/json; charset=latin1", "application/jsonx", ""])
    func otherMediaTypesAre415(contentType: String) {
        let error = failure(post(#"{"body":"hi"}"#, contentType: contentType), as: SendMessage.self)
        #expect(error?.status == 415)
        #expect(error?.code == "unsupported_media_type")
    }

    @Test func aBodyWithoutContentTypeIs415() {
        #expect(failure(post(#"{"body":"hi"}"#, contentType: nil), as: SendMessage.self)?.status == 415)
    }

    @Test func anEmptyBodyWithoutContentTypeIsMalformedJSON() {
        #expect(failure(post("", contentType: nil), as: SendMessage.self) == .badRequest("the body is not valid JSON: unexpected end of the body at byte 0"))
    }

    @Test func syntaxErrorsSayWhereAndTopLevelNonObjectsSayWhat() {
        #expect(failure(post(#"{"body": "hi",}"#), as: SendMessage.self) == .badRequest("the body is not valid JSON: expected a member name at byte 14"))
        #expect(failure(post("[]"), as: SendMessage.self) == .badRequest("the body must be a JSON object"))
    }

    @Test func invalidUTF8Is400() {
        let request = F.request(.POST, "/x", headers: [("Content-Type", "application/json")],
                                bytes: Array(#"{"body":""#.utf8) + [0xC3, 0x28] + Array(#""}"#.utf8))
        #expect(failure(request, as: SendMessage.self) == .badRequest("the body is not valid UTF-8"))
    }

    @Test(arguments: ["", "   ", "{", #"{"body": "hi""#, #"{"body": "hi"} trailing"#, #"{"body": "hi"}{}"#,
                      "[1, 2]", #""text""#, "null", "42", #"{"body": 'hi'}"#, #"{body: "hi"}"#, "\u{FEFF}{}",
                      #"{"body": "hi",}"#, #"{"a": [1,]}"#, #"{"a": 01}"#, #"{"a": 1.}"#, #"{"a": .5}"#, #"{"a": -}"#,
                      #"{"a": 1e}"#, #"{"a": +1}"#, #"{"a": NaN}"#, #"{"a": tru}"#, #"{"a": nul}"#, "{\"a\": \"x\ty\"}",
                      #"{"a": "\x"}"#, #"{"a": "\u12"}"#, #"{"a": "\ud800"}"#, #"{"a": "\udc00\ud800"}"#, #"{"a": "\ud800\u0041"}"#,
                      #"{"a" 1}"#, #"{"a": 1 "b": 2}"#, #"{"a": "unterminated}"#, "{} // comment"])
    func malformedJSONIs400(body: String) {
        let error = failure(post(body), as: SendMessage.self)
        #expect(error?.status == 400, "\(body)")
        #expect(error?.code == "bad_request")
        #expect(error?.field == nil)
    }

    @Test(arguments: [
        (#"{"body": 5}"#, "body", "body must be a string"),
        (#"{}"#, "body", "body is required"),
        (#"{"body": null}"#, "body", "body must not be null"),
        (#"{"body": "x", "client_id": 7}"#, "client_id", "client_id must be a string"),
        (#"{"body": ["x"]}"#, "body", "body must be a string"),
    ])
    func wrongOrMissingFieldsAre422NamingTheField(body: String, field: String, message: String) {
        #expect(failure(post(body), as: SendMessage.self) == .invalid(field, message))
    }

    @Test func arrayElementsAreNamedByIndex() {
        #expect(failure(post(#"{"user_ids": ["a", 3]}"#), as: ReplaceMembers.self) == .invalid("user_ids[1]", "user_ids[1] must be a string"))
        #expect(failure(post(#"{"user_ids": "a"}"#), as: ReplaceMembers.self) == .invalid("user_ids", "user_ids must be an array"))
    }

    @Test func nestedPathsUseDotsAndBrackets() {
        let base = #"{"name": "c", "settings": "#
        #expect(failure(post(base + #"{"send_policy": "all_members", "limits": [1, "x"]}}"#), as: CreateCircle.self)?.field == "settings.limits[1]")
        #expect(failure(post(base + #"{"send_policy": "everyone", "limits": []}}"#), as: CreateCircle.self)
            == .invalid("settings.send_policy", "settings.send_policy has an invalid value"))
        #expect(failure(post(base + #"{"limits": []}}"#), as: CreateCircle.self) == .invalid("settings.send_policy", "settings.send_policy is required"))
        #expect(failure(post(base + "5}"), as: CreateCircle.self) == .invalid("settings", "settings must be an object"))
    }

    /// Foundation's decoder reports these as corrupt data with no path (so "malformed JSON");
    /// they are well-formed JSON with an unusable value: 422 at the member.
    @Test(arguments: ["1.5", "1e400", "99999999999999999999", "-1e30", "2.5e-1"])
    func numbersThatAreNotWholeOrOutOfRangeAre422AtTheMember(number: String) {
        #expect(failure(post(#"{"name": "c", "settings": {"send_policy": "admins_only", "limits": [3, \#(number)]}}"#), as: CreateCircle.self)
            == .invalid("settings.limits[1]", "settings.limits[1] must be an integer"))
    }

    @Test func wholeNumbersWrittenOtherwiseDecode() throws {
        struct Numbers: Decodable { let a: [Int]; let small: Int8; let ratio: Double; let single: Float }
        let numbers = try post(#"{"a": [100, 1e2, 100.0, -0, 1E+2], "small": -128, "ratio": 2.5e-3, "single": 0.1}"#).decodeJSON(Numbers.self)
        #expect(numbers.a == [100, 100, 100, 0, 100])
        #expect(numbers.small == -128)
        #expect(numbers.ratio == 0.0025)
        #expect(numbers.single == Float(0.1))
        #expect(failure(post(#"{"a": [], "small": 128, "ratio": 1, "single": 1}"#), as: Numbers.self) == .invalid("small", "small must be an integer"))
        #expect(failure(post(#"{"a": [], "small": 1, "ratio": 1, "single": 1e39}"#), as: Numbers.self) == .invalid("single", "single must be a number"))
        #expect(failure(post(#"{"a": [], "small": 1, "ratio": "1", "single": 1}"#), as: Numbers.self) == .invalid("ratio", "ratio must be a number"))
    }

    @Test func stringsDecodeEscapesAndSurrogatePairs() throws {
        let message = try post(#"{"body": "tab\tquote\"slash\/\u00e9\ud83d\ude00 \\ raw é😀"}"#).decodeJSON(SendMessage.self)
        #expect(message.body == "tab\tquote\"slash/é😀 \\ raw é😀")
    }

    @Test func dictionariesDecodeAndNameTheirBadEntry() throws {
        struct Tagged: Decodable { let tags: [String: Int] }
        #expect(try post(#"{"tags": {"a": 1, "b c": 2}}"#).decodeJSON(Tagged.self).tags == ["a": 1, "b c": 2])
        #expect(failure(post(#"{"tags": {"a": 1, "b": "x"}}"#), as: Tagged.self) == .invalid("tags.b", "tags.b must be an integer"))
    }

    @Test func repeatedMembersKeepTheLastValue() throws {
        #expect(try post(#"{"body": "first", "body": "second"}"#).decodeJSON(SendMessage.self).body == "second")
    }

    @Test func deepNestingIsRefusedNotACrash() {
        let depth = 70_000
        let deep = #"{"body": "x", "extra": "# + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "}"
        #expect(failure(post(deep), as: SendMessage.self)?.status == 400)
        let allowed = #"{"body": "x", "extra": "# + String(repeating: "[", count: 60) + String(repeating: "]", count: 60) + "}"
        #expect(failure(post(allowed), as: SendMessage.self) == nil)
    }

    @Test func nullForAnOptionalIsNilAndForARequiredMemberIs422() throws {
        #expect(try post(#"{"body": "x", "client_id": null}"#).decodeJSON(SendMessage.self).client_id == nil)
        #expect(failure(post(#"{"user_ids": ["a", null]}"#), as: ReplaceMembers.self) == .invalid("user_ids[1]", "user_ids[1] must not be null"))
        #expect(failure(post(#"{"name": "c", "settings": null}"#), as: CreateCircle.self) == .invalid("settings", "settings must not be null"))
    }

    @Test func customInitializersThatThrowNameTheirMember() {
        struct Pair: Decodable {
            let first: Int, second: Int
            init(from decoder: any Decoder) throws {
                var elements = try decoder.unkeyedContainer()
                first = try elements.decode(Int.self)
                second = try elements.decode(Int.self)
            }
        }
        struct Body: Decodable { let pair: Pair }
        #expect(failure(post(#"{"pair": [1]}"#), as: Body.self) == .invalid("pair[1]", "pair[1] is required"))
        #expect(failure(post(#"{"pair": {}}"#), as: Body.self) == .invalid("pair", "pair must be an array"))
    }

    @Test func anEscapedNULDecodesAndIsLeftToTheService() throws {
        #expect(try post(#"{"body": "a\u0000b"}"#).decodeJSON(SendMessage.self).body == "a\u{0}b")
    }

    @Test func typedQueryIntegers() throws {
        let query = try PercentDecoding.decodeQuery("limit=20&before=-3&bad=1x&big=99999999999999999999&plus=%2B5&empty=&twice=1&twice=2")
        #expect(try query.int("limit", in: 1...100) == 20)
        #expect(try query.int("before") == -3)
        #expect(try query.int("absent", in: 1...100) == nil)
        #expect(throws: APIError.badRequest(#"query parameter "limit" must be an integer from 1 to 10"#)) { try query.int("limit", in: 1...10) }
        for name in ["bad", "big", "plus", "empty", "twice"] {
            #expect(throws: APIError.self, "\(name)") { try query.int(name) }
        }
    }

    @Test func typedQueryBooleans() throws {
        let query = try PercentDecoding.decodeQuery("a=true&b=FALSE&c=1&d=0&e=yes")
        #expect(try query.bool("a") == true)
        #expect(try query.bool("b") == false)
        #expect(try query.bool("c") == true)
        #expect(try query.bool("d") == false)
        #expect(try query.bool("z") == nil)
        #expect(throws: APIError.badRequest(#"query parameter "e" must be true or false"#)) { try query.bool("e") }
    }
}
