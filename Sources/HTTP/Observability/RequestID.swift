import Synchronization

/// Request ids: the one a client or proxy sent in `X-Request-Id` when it is sane, else one we
/// make. They tie a client's report, the access log and error lines together.
public enum RequestID {
    /// A received id is kept if it is 1-128 characters of `A-Z a-z 0-9 - _ . : / + =`
    /// (enough for UUIDs, hex and base64 ids; nothing that could break a log line or a header).
    public static func isAcceptable(_ candidate: String) -> Bool {
        let utf8 = candidate.utf8
        guard (1...128).contains(utf8.count) else { return false }
        return utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"):
                true
            case UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: ":"),
                UInt8(ascii: "/"), UInt8(ascii: "+"), UInt8(ascii: "="):
                true
            default: false
            }
        }
    }

    /// The received id if acceptable, else a new one.
    public static func resolve(received: String?) -> String {
        if let received, isAcceptable(received) { return received }
        return generate()
    }

    /// A new id: 16 hex digits of process-start randomness and a 12-digit hex counter, unique
    /// within the process and, in practice, across replicas; no system call per request.
    public static func generate() -> String {
        let n = counter.wrappingAdd(1, ordering: .relaxed).newValue
        return prefix + hex(UInt64(truncatingIfNeeded: n) & 0xFFFF_FFFF_FFFF, width: 12)
    }

    private static let counter = Atomic<Int>(0)
    private static let prefix = hex(UInt64.random(in: .min ... .max), width: 16) + "-"

    private static func hex(_ value: UInt64, width: Int) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
