import Foundation
import Glibc

/// Monotonic nanoseconds, comparable across the bench's threads.
@inline(__always)
func monotonicNanoseconds() -> Int64 {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec)
}

/// Sleeps until `deadline` (monotonic nanoseconds).
func sleep(until deadline: Int64) {
    let remaining = deadline - monotonicNanoseconds()
    guard remaining > 0 else { return }
    var spec = timespec(tv_sec: Int(remaining / 1_000_000_000), tv_nsec: Int(remaining % 1_000_000_000))
    nanosleep(&spec, nil)
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("fanout-bench: \(message)\n".utf8))
    exit(2)
}
