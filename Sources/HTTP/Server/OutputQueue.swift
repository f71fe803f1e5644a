import Glibc

/// Bytes waiting to be written to one connection, in order. Event-stream bytes are queued by
/// reference (`EventBytes` is shared by every stream an event goes to) and written with
/// gather writes, so fanning an event out copies nothing per stream. A file body is written
/// by the kernel (`sendfile`) once the bytes queued before it are out.
struct OutputQueue {
    enum Chunk {
        case owned([UInt8])
        case event(EventBytes)
        case file(FileRegion)

        /// The chunk's bytes (none for a file: `flush` sends it from the file).
        func withBytes<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
            switch self {
            case .owned(let bytes): bytes.withUnsafeBytes(body)
            case .event(let event): event.bytes.withUnsafeBytes(body)
            case .file: body(UnsafeRawBufferPointer(start: nil, count: 0))
            }
        }

        var count: Int {
            switch self {
            case .owned(let bytes): bytes.count
            case .event(let event): event.bytes.count
            case .file(let region): Int(region.length)
            }
        }

        var isEvent: Bool { if case .event = self { true } else { false } }
        var file: FileRegion? { if case .file(let region) = self { region } else { nil } }
    }

    private var chunks: [Chunk] = []
    private var head = 0
    /// Bytes of `chunks[head]` already written.
    private var headOffset = 0
    private(set) var pendingBytes = 0

    var isEmpty: Bool { pendingBytes == 0 }

    mutating func append(_ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        chunks.append(.owned(bytes))
        pendingBytes += bytes.count
    }

    mutating func append(_ event: EventBytes) {
        guard !event.bytes.isEmpty else { return }
        chunks.append(.event(event))
        pendingBytes += event.bytes.count
    }

    mutating func append(_ file: FileRegion) {
        guard file.length > 0 else { return }
        chunks.append(.file(file))
        pendingBytes += Int(file.length)
    }

    mutating func removeAll() {
        chunks = []
        head = 0
        headOffset = 0
        pendingBytes = 0
    }

    struct FlushResult {
        var written = 0
        /// How many of the written bytes came from event chunks (the stream's bound counts them).
        var eventBytesWritten = 0
    }

    /// Writes until the queue is empty or the socket would block.
    mutating func flush(to socket: Socket, iovecs: UnsafeMutableBufferPointer<iovec>) throws(SocketError) -> FlushResult {
        var result = FlushResult()
        while !isEmpty {
            let outcome: IOResult<Int>
            if let file = chunks[head].file {
                var offset = off_t(file.offset) + off_t(headOffset)
                outcome = try socket.sendFile(file.descriptor, offset: &offset, count: Int(file.length) - headOffset)
                if case .processed(0) = outcome { throw SocketError(operation: "sendfile", errno: EIO) }  // the file shrank
            } else {
                outcome = try gather(from: head, filled: 0, into: iovecs) { (count) throws(SocketError) in
                    try socket.send(UnsafeMutableBufferPointer(rebasing: iovecs[0..<count]))
                }
            }
            guard case .processed(let written) = outcome else { break }
            advance(by: written, result: &result)
        }
        return result
    }

    /// Fills `iovecs` with up to `iovecs.count` chunks, nesting each chunk's pointer scope,
    /// then runs `body` with the number filled.
    private func gather<R>(from index: Int, filled: Int, into iovecs: UnsafeMutableBufferPointer<iovec>,
                           _ body: (Int) throws(SocketError) -> R) throws(SocketError) -> R {
        guard index < chunks.count, filled < iovecs.count, chunks[index].file == nil else { return try body(filled) }
        let offset = index == head ? headOffset : 0
        let outcome: Result<R, SocketError> = chunks[index].withBytes { raw in
            iovecs[filled] = iovec(iov_base: UnsafeMutableRawPointer(mutating: raw.baseAddress! + offset), iov_len: raw.count - offset)
            do throws(SocketError) { return .success(try gather(from: index + 1, filled: filled + 1, into: iovecs, body)) } catch { return .failure(error) }
        }
        return try outcome.get()
    }

    private mutating func advance(by written: Int, result: inout FlushResult) {
        result.written += written
        pendingBytes -= written
        var remaining = written
        while remaining > 0 {
            let available = chunks[head].count - headOffset
            let taken = min(available, remaining)
            if chunks[head].isEvent { result.eventBytesWritten += taken }
            remaining -= taken
            if taken == available {
                head += 1
                headOffset = 0
            } else {
                headOffset += taken
            }
        }
        if head == chunks.count {
            chunks.removeAll(keepingCapacity: chunks.capacity <= 16)
            head = 0
        } else if head >= 64 && head * 2 >= chunks.count {
            chunks.removeFirst(head)
            head = 0
        }
    }
}
