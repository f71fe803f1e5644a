import Testing

@testable import HTTP

@Suite struct PercentDecodingTests {
    private func pairs(_ raw: Substring) throws -> [String] {
        try PercentDecoding.decodeQuery(raw).pairs.map { "\($0.name)=\($0.value)" }
    }

    /// The error decoding `raw` throws, or nil when it does not throw.
    private func rejection(_ raw: Substring) -> APIError? {
        do { _ = try PercentDecoding.decodeQuery(raw); return nil } catch { return error }
    }

    @Test func decodesPlainPairsInOrder() throws {
        #expect(try pairs("limit=10&kind=direct") == ["limit=10", "kind=direct"])
    }

    @Test func decodesEscapesAndPlusAsSpace() throws {
        #expect(try pairs("q=ada+lovelace&e=a%40b.c&u=%C3%A9t%C3%A9&p=1%2B1") == ["q=ada lovelace", "e=a@b.c", "u=été", "p=1+1"])
    }

    @Test func keepsRepeatedKeysAndEmptyValues() throws {
        let query = try PercentDecoding.decodeQuery("a=1&a=2&b=&c")
        #expect(query.values("a") == ["1", "2"])
        #expect(query["a"] == "1")
        #expect(query["b"] == "")
        #expect(query["c"] == "")
    }

    @Test func skipsEmptyPairs() throws {
        #expect(try pairs("&a=1&&b=2&") == ["a=1", "b=2"])
        #expect(try pairs("").isEmpty)
    }

    @Test func splitsOnlyAtTheFirstEquals() throws {
        #expect(try pairs("cursor=abc==") == ["cursor=abc=="])
    }

    @Test func rejectsBadEscapesNamingTheParameter() {
        for raw: Substring in ["q=%zz", "q=%", "q=%4", "q=ab%g1"] {
            let error = rejection(raw)
            #expect(error?.status == 400)
            #expect(error?.code == "bad_request")
            #expect(error?.message.contains("\"q\"") == true, "\(raw)")
        }
    }

    @Test func rejectsInvalidUTF8AfterDecoding() {
        let error = rejection("q=%C3%28")
        #expect(error?.status == 400)
        #expect(error?.message.contains("\"q\"") == true)
        #expect(rejection("q=%FF")?.status == 400)
        #expect(rejection("q=%ED%A0%80")?.status == 400)  // a UTF-16 surrogate, not a scalar
    }

    @Test func rejectsNUL() {
        #expect(rejection("q=a%00b")?.status == 400)
        #expect(rejection("q%00=1")?.status == 400)
    }

    @Test func aBadNameIsNamedRawAndTheValueIsNeverEchoed() {
        let error = rejection("access_token=secret%zz")
        #expect(error?.message.contains("secret") == false)
        #expect(rejection("na%zzme=1")?.message.contains("na%zzme") == true)
    }

    @Test func pathSegmentsKeepPlusAndDecodeEscapes() throws {
        #expect(try PercentDecoding.decodePathSegment("a+b") == "a+b")
        #expect(try PercentDecoding.decodePathSegment("ada%40example.com") == "ada@example.com")
        #expect(try PercentDecoding.decodePathSegment("a%2Fb") == "a/b")
        #expect(try PercentDecoding.decodePathSegment("plain") == "plain")
    }

    @Test func pathSegmentsRejectBadInput() {
        for raw: Substring in ["%zz", "%C3%28", "%00", "abc%"] {
            #expect(throws: APIError.badRequest("the path is not valid percent-encoded UTF-8")) {
                try PercentDecoding.decodePathSegment(raw)
            }
        }
    }
}
