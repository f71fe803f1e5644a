import Testing
@testable import HTTP

/// Streamed routes: the head is handed over at once, the body follows in pieces, and the
/// route's limit holds for declared lengths (before any body byte) and for chunked bodies
/// (cut off at the limit).
@Suite struct StreamedBodyParserTests {
    private var harness: ParserHarness {
        var harness = ParserHarness()
        harness.streamed = true
        harness.bodyLimit = 10
        return harness
    }

    @Test func handsOverTheHeadThenThePiecesOfALengthBody() {
        let run = harness.run("POST /u HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n0123456789GET / HTTP/1.1\r\nHost: h\r\n\r\n",
                              sliceSize: 4)
        #expect(run.status == 200)
        #expect(run.requests.count == 2)
        #expect(run.requests[0].request.body == Array("0123456789".utf8))
        #expect(run.pieces.count > 1)  // arrived in slices, handed over in slices
        #expect(run.bodyEnds == 2)  // the GET is on the same (streamed) route here: its empty body ends at once
    }

    @Test func chunkedBodiesArriveDecodedAndEndOnce() {
        let run = harness.run("POST /u HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n4\r\ndefg\r\n0\r\n\r\n",
                              sliceSize: 3)
        #expect(run.status == 200)
        #expect(run.requests.first?.request.body == Array("abcdefg".utf8))
        #expect(run.bodyEnds == 1)
    }

    @Test func aDeclaredLengthOverTheLimitIsRefusedBeforeTheHandlerStarts() {
        let run = harness.run("POST /u HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\n")
        #expect(run.status == 413)
        #expect(run.requests.isEmpty)
    }

    @Test func aChunkedBodyIsCutOffAtTheLimit() {
        let run = harness.run("POST /u HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nabcdef\r\n5\r\nghijk\r\n0\r\n\r\n")
        #expect(run.status == 413)
        #expect(run.requests.count == 1)  // the handler had started; it learns of the 413 instead of an end
        #expect(run.bodyEnds == 0)
    }

    @Test func anEmptyBodyEndsAtOnce() {
        let run = harness.run("POST /u HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n")
        #expect(run.requests.count == 1)
        #expect(run.pieces.isEmpty)
        #expect(run.bodyEnds == 1)
    }
}
