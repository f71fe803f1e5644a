import Glibc
import Testing

@testable import HTTP

/// `process_open_fds`, `process_max_fds` and `process_resident_memory_bytes` (the alert on
/// descriptors near the limit and the dashboard's memory panel read them).
@Suite struct ProcessMetricsTests {
    /// The value of an unlabelled series in the text format.
    static func value(_ name: String, in text: String) -> Double? {
        text.split(separator: "\n").first { $0.hasPrefix(name + " ") }.flatMap { Double($0.split(separator: " ")[1]) }
    }

    @Test func reportsOpenDescriptorsTheLimitAndResidentMemory() throws {
        let metrics = MetricsRegistry()
        ProcessMetrics.register(in: metrics)
        let pipeEnds = (0..<8).map { _ -> [Int32] in
            var ends: [Int32] = [-1, -1]
            _ = pipe(&ends)
            return ends
        }
        defer { pipeEnds.joined().forEach { close($0) } }
        // A lower bound only: tests running alongside open and close descriptors all the time.
        let text = metrics.render()
        let open = try #require(Self.value("process_open_fds", in: text))
        #expect(open >= 16 + 3, "at least the 16 pipe ends and standard input, output, error: \(open)")
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        #expect(Self.value("process_max_fds", in: text) == Double(limit.rlim_cur))
        #expect(open <= Double(limit.rlim_cur))
        let resident = try #require(Self.value("process_resident_memory_bytes", in: text))
        #expect(resident > 1_000_000 && resident < 64_000_000_000)
    }
}
