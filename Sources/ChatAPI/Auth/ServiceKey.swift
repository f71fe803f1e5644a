/// The service key, compared in constant time: how long a comparison takes depends only on the
/// key's length, never on how many leading bytes of a guess were right.
struct ServiceKey: Sendable {
    private let bytes: [UInt8]

    init(_ key: String) { bytes = Array(key.utf8) }

    func matches(_ candidate: String) -> Bool {
        var difference: UInt8 = candidate.utf8.count == bytes.count ? 0 : 1
        var candidateBytes = candidate.utf8.makeIterator()
        for byte in bytes {
            difference |= byte ^ (candidateBytes.next() ?? 0)
        }
        return difference == 0
    }
}
