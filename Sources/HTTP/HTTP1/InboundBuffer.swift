/// Bytes read from a connection and not yet consumed by the parser. Consumed bytes are
/// dropped lazily; when everything is consumed the storage is released if it grew large,
/// so an idle keep-alive connection holds no buffer.
struct InboundBuffer {
    private var storage: [UInt8] = []
    private var readIndex = 0

    /// Capacity kept across requests; anything larger is given back when the buffer empties.
    static let retainedCapacity = 4096

    init() {}
    init(_ bytes: [UInt8]) { storage = bytes }

    var readableCount: Int { storage.count - readIndex }
    var isEmpty: Bool { readIndex == storage.count }

    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        if readIndex > 0 && readIndex == storage.count {
            storage.removeAll(keepingCapacity: storage.capacity <= Self.retainedCapacity)
            readIndex = 0
        } else if readIndex > 0 && readIndex >= storage.count / 2 {
            storage.removeSubrange(0..<readIndex)
            readIndex = 0
        }
        storage.append(contentsOf: bytes)
    }

    mutating func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { append($0) }
    }

    /// Marks `count` readable bytes as used.
    mutating func consume(_ count: Int) {
        precondition(count <= readableCount, "consumed more than was read")
        readIndex += count
        if readIndex == storage.count {
            storage.removeAll(keepingCapacity: storage.capacity <= Self.retainedCapacity)
            readIndex = 0
        }
    }

    /// Runs `body` on the readable bytes (index 0 is the first unconsumed byte).
    func withReadableBytes<R, E: Error>(_ body: (UnsafeBufferPointer<UInt8>) throws(E) -> R) throws(E) -> R {
        try storage.withUnsafeBufferPointer { (all) throws(E) -> R in
            try body(UnsafeBufferPointer(rebasing: all[readIndex...]))
        }
    }
}
