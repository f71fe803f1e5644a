@testable import HTTP

/// Feeds raw bytes to a `RequestParser` the way a connection does, in slices of `sliceSize`
/// bytes, and reports the requests parsed or the failure.
struct ParserHarness {
    var limits = RequestHeadScanner.Limits(maxRequestLineBytes: 8192, maxHeaderBytes: 16384, maxHeaderCount: 100)
    var bodyLimit = 65536
    /// Parse as a streamed route: bodies arrive as pieces (gathered into the request's `body`,
    /// their sizes into `pieces`).
    var streamed = false

    struct Run {
        var requests: [(request: HTTPRequest, keepAlive: Bool)] = []
        var continues = 0
        var pieces: [Int] = []
        var bodyEnds = 0
        var failure: RequestFailure?

        /// 200 when every request parsed, the error status otherwise, 0 for the HTTP/2 preface.
        var status: Int {
            switch failure {
            case nil: 200
            case .http2Preface: 0
            case .reject(let error): error.status
            }
        }
    }

    func run(_ bytes: [UInt8], sliceSize: Int = .max) -> Run {
        let limit = bodyLimit
        var parser = RequestParser(configuration: .init(limits: limits) { [streamed] _, _ in RequestBodyRule(limit: limit, streamed: streamed) })
        var buffer = InboundBuffer()
        var run = Run()
        var offset = 0
        while offset < bytes.count {
            let end = min(bytes.count, offset + min(sliceSize, bytes.count - offset))
            buffer.append(Array(bytes[offset..<end]))
            offset = end
            while true {
                do {
                    switch try parser.parse(&buffer) {
                    case .needMore: break
                    case .sendContinue:
                        run.continues += 1
                        continue
                    case .request(let request, let keepAlive):
                        run.requests.append((request, keepAlive))
                        continue
                    case .streamedRequest(let request, let keepAlive, let expectsContinue):
                        run.requests.append((request, keepAlive))
                        if expectsContinue { run.continues += 1 }
                        continue
                    case .bodyPiece(let piece):
                        run.pieces.append(piece.count)
                        run.requests[run.requests.count - 1].request.body += piece
                        continue
                    case .bodyEnd:
                        run.bodyEnds += 1
                        continue
                    }
                } catch {
                    run.failure = error
                    return run
                }
                break
            }
        }
        return run
    }

    func run(_ text: String, sliceSize: Int = .max) -> Run { run(Array(text.utf8), sliceSize: sliceSize) }
}
