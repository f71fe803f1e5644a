@testable import Postgres
import Testing

/// PostgreSQL array literals (manual 8.15.6), written and read.
@Suite struct ArrayLiteralTests {
    @Test func encodingQuotesEveryElementAndEscapesQuotesAndBackslashes() {
        #expect(PostgresArrayLiteral.encode([]) == "{}")
        #expect(PostgresArrayLiteral.encode(["a", nil, "NULL"]) == #"{"a",NULL,"NULL"}"#)
        #expect(PostgresArrayLiteral.encode([#"q"u\o,{te}"#]) == #"{"q\"u\\o,{te}"}"#)
    }

    @Test func parsingReadsPostgresOutput() throws {
        #expect(try PostgresArrayLiteral.parse("{}") == [])
        #expect(try PostgresArrayLiteral.parse("{1,2,3}") == ["1", "2", "3"])
        #expect(try PostgresArrayLiteral.parse(#"{a,NULL,"NULL","b c","x\"y","back\\slash",""}"#)
            == ["a", nil, "NULL", "b c", #"x"y"#, #"back\slash"#, ""])
        #expect(try PostgresArrayLiteral.parse(#"{ spaced , "kept " }"#) == ["spaced", "kept "])
        #expect(try PostgresArrayLiteral.parse("[0:1]={7,8}") == ["7", "8"])
        #expect(try PostgresArrayLiteral.parse("{é👍,x}") == ["é👍", "x"])
    }

    @Test func encodeThenParseIsIdentity() throws {
        let samples: [[String?]] = [
            [""], ["NULL", nil], [",", "{", "}", "\"", "\\", " "], ["\\\"", "a\nb"],
        ]
        for sample in samples {
            #expect(try PostgresArrayLiteral.parse(PostgresArrayLiteral.encode(sample)) == sample)
        }
    }

    @Test func malformedAndMultidimensionalLiteralsAreRejected() {
        for text in ["", "{", "1,2", "{1,,2}", #"{"open}"#, "{a\"b}", "{1,2}x"] {
            #expect(throws: ArrayLiteralError.self, "\(text)") { try PostgresArrayLiteral.parse(text) }
        }
        #expect(throws: ArrayLiteralError.multidimensional) { try PostgresArrayLiteral.parse("{{1,2},{3,4}}") }
    }
}
