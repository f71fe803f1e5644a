import Foundation
import Testing
import TestSupport
@testable import HTTP

/// Seeded random mutations of valid requests: the parser always reaches a verdict (a request
/// or a 4xx/5xx), the live server answers or closes every one, and a normal request still
/// succeeds afterwards. `HTTP_FUZZ_ITERATIONS` sets the count for a longer local run.
@Suite struct FuzzTests {
    static let iterations = Int(ProcessInfo.processInfo.environment["HTTP_FUZZ_ITERATIONS"] ?? "") ?? 3000

    static let corpus: [[UInt8]] = [
        "GET /v1/conversations?limit=50&cursor=abc HTTP/1.1\r\nHost: h\r\nAuthorization: Bearer t\r\n\r\n",
        "POST /v1/messages HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\nContent-Length: 13\r\n\r\n{\"body\":\"hi\"}",
        "POST /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n0\r\n\r\n",
        "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
        "PUT /v1/users/u1 HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n{}",
    ].map { Array($0.utf8) }

    static let interesting: [UInt8] = [0, 9, 10, 13, 32, 58, 59, 127, 255, 0x25, 0x3F, 0x23, 0x2C, 0x30, 0x46]

    static func mutate(_ input: [UInt8], _ random: inout SplitMix64) -> [UInt8] {
        var bytes = input
        for _ in 0..<Int.random(in: 1...4, using: &random) {
            let index = bytes.isEmpty ? 0 : Int.random(in: 0..<bytes.count, using: &random)
            let byte = Bool.random(using: &random) ? interesting.randomElement(using: &random)! : UInt8.random(in: 0...255, using: &random)
            switch Int.random(in: 0..<6, using: &random) {
            case 0 where !bytes.isEmpty: bytes[index] = byte
            case 1: bytes.insert(byte, at: index)
            case 2 where !bytes.isEmpty: bytes.remove(at: index)
            case 3: bytes = Array(bytes.prefix(index))
            case 4 where !bytes.isEmpty:
                let end = min(bytes.count, index + Int.random(in: 1...40, using: &random))
                bytes.insert(contentsOf: bytes[index..<end], at: index)
            default: bytes.insert(contentsOf: Array("\r\nX-F: \(byte)\r\n".utf8), at: index)
            }
        }
        return bytes
    }

    /// Seconds of CPU work: on a thread of its own, not one of the cooperative pool's few.
    @Test func theParserReachesAVerdictOnEveryMutation() async {
        await offloaded {
            var random = SplitMix64(seed: 0xC0FFEE)
            var verdicts: [Int: Int] = [:]
            for iteration in 0..<Self.iterations {
                let input = Self.mutate(Self.corpus[iteration % Self.corpus.count], &random)
                let run = ParserHarness().run(input, sliceSize: iteration % 3 == 0 ? 1 : .max)
                verdicts[run.status, default: 0] += 1
                #expect([0, 200, 400, 413, 414, 417, 431, 505].contains(run.status))
            }
            #expect(verdicts[400, default: 0] > 0 && verdicts[200, default: 0] > 0)
        }
    }

    @Test func theServerSurvivesMutatedRequests() async throws {
        try await withServer({ $0.requestHeaderTimeout = .seconds(2); $0.lingerTimeout = .milliseconds(200) }) { server in
            var random = SplitMix64(seed: 0xBADC0DE)
            let inputs = (0..<max(200, Self.iterations / 10)).map { Self.mutate(Self.corpus[$0 % Self.corpus.count], &random) }
            for batch in stride(from: 0, to: inputs.count, by: 25) {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for input in inputs[batch..<min(inputs.count, batch + 25)] {
                        group.addTask {
                            let client = try await HTTPTestClient.connect(port: server.boundPort)
                            try? await client.send(input)
                            client.shutdownWrite()
                            // The server answers or closes within its 2 s request timeout and
                            // 200 ms linger; the rest is slack for a busy machine.
                            let answer = try await client.readToEnd(timeout: .seconds(15))
                            if !answer.isEmpty { #expect(answer.starts(with: Array("HTTP/1.1 ".utf8))) }
                        }
                    }
                    try await group.waitForAll()
                }
            }
            #expect(try await HTTPTestClient.request(port: server.boundPort, "GET", "/after").status == 200)
        }
    }
}

/// A small seeded generator (SplitMix64), so a failing fuzz case can be replayed.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
