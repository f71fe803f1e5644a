import CLinuxShims
import Glibc
import Synchronization

/// One receiving thread: many event-stream connections on one epoll, each scanned for the
/// message marker `"client_id": "b<n>"`. Records (message, time read) for every delivery and
/// catches duplicates per stream with a bitset.
///
/// `@unchecked Sendable`: everything mutable is touched only by the thread running `run()`,
/// except `opened`, `failed` and `stopping` (atomics); the main thread reads the rest only
/// after that thread has finished.
final class StreamReceiver: @unchecked Sendable {
    struct Connection {
        let fd: Int32
        let group: Int
        var sentRequest = false
        var headDone = false
        var closed = false
        /// Bytes not yet scanned (a partial head, or the tail that may hold a split marker).
        var pending: [UInt8] = []
        var seen: [UInt64]
    }

    static let marker = Array("\"client_id\": \"b".utf8)

    private(set) var connections: [Connection] = []
    private(set) var deliveredMessages: [Int32] = []
    private(set) var deliveredAt: [Int64] = []
    private(set) var duplicates = 0
    private(set) var closedByServer = 0
    let opened = Atomic<Int>(0)
    let failed = Atomic<Int>(0)
    let stopping = Atomic<Bool>(false)
    private let epoll: Int32
    private let request: (Int) -> [UInt8]
    private var readBuffer = [UInt8](repeating: 0, count: 1 << 16)

    /// - Parameters:
    ///   - groups: the group of each stream this thread opens.
    ///   - request: the request bytes of stream `index` (into `groups`).
    init(host: String, port: Int, groups: [Int], maxMessages: Int, request: @escaping (Int) -> [UInt8]) {
        epoll = epoll_create1(Int32(EPOLL_CLOEXEC))
        self.request = request
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(port).bigEndian
        inet_pton(AF_INET, host, &address.sin_addr)
        let words = (maxMessages + 63) / 64
        deliveredMessages.reserveCapacity(1 << 20)
        deliveredAt.reserveCapacity(1 << 20)
        for group in groups {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { fail("socket: \(String(cString: strerror(errno))) (raise ulimit -n)") }
            var linger = Glibc.linger(l_onoff: 1, l_linger: 0)  // RST on close: no TIME_WAIT pile-up between runs
            setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
            connections.append(Connection(fd: fd, group: group, seen: [UInt64](repeating: 0, count: words)))
            _ = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        }
    }

    /// Connects in batches (the server's accept backlog is finite), then reads until `stopping`.
    func run() {
        let batch = 256
        var next = 0
        var event = epoll_event()
        while next < connections.count || !stopping.load(ordering: .relaxed) {
            if next < connections.count && opened.load(ordering: .relaxed) + failed.load(ordering: .relaxed) >= next - batch {
                for index in next..<min(next + batch, connections.count) {
                    event.events = EPOLLOUT.rawValue | EPOLLIN.rawValue
                    event.data.u64 = UInt64(index)
                    epoll_ctl(epoll, EPOLL_CTL_ADD, connections[index].fd, &event)
                }
                next = min(next + batch, connections.count)
            }
            poll(timeoutMilliseconds: 20)
        }
        for connection in connections where !connection.closed { close(connection.fd) }
        close(epoll)
    }

    private func poll(timeoutMilliseconds: Int32) {
        var events = [epoll_event](repeating: epoll_event(), count: 256)
        let count = epoll_wait(epoll, &events, 256, timeoutMilliseconds)
        guard count > 0 else { return }
        for index in 0..<Int(count) {
            let slot = Int(events[index].data.u64)
            let flags = events[index].events
            if flags & EPOLLOUT.rawValue != 0, !connections[slot].sentRequest { sendRequest(slot) }
            if flags & (EPOLLIN.rawValue | EPOLLHUP.rawValue | EPOLLERR.rawValue) != 0 { read(slot) }
        }
    }

    private func sendRequest(_ slot: Int) {
        let bytes = request(slot)
        let written = bytes.withUnsafeBytes { send(connections[slot].fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        guard written == bytes.count else { return markClosed(slot, failedToOpen: true) }
        connections[slot].sentRequest = true
        var event = epoll_event()
        event.events = EPOLLIN.rawValue
        event.data.u64 = UInt64(slot)
        epoll_ctl(epoll, EPOLL_CTL_MOD, connections[slot].fd, &event)
    }

    private func read(_ slot: Int) {
        while !connections[slot].closed {
            let count = readBuffer.withUnsafeMutableBytes { recv(connections[slot].fd, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                consume(slot, count: count)
            } else if count < 0 && (errno == EAGAIN || errno == EINTR) {
                return
            } else {
                return markClosed(slot, failedToOpen: !connections[slot].headDone)
            }
        }
    }

    private func consume(_ slot: Int, count: Int) {
        let now = monotonicNanoseconds()
        var data = connections[slot].pending
        data.append(contentsOf: readBuffer[0..<count])
        var start = 0
        if !connections[slot].headDone {
            guard let end = Self.find(Array("\r\n\r\n".utf8), in: data, from: 0) else {
                connections[slot].pending = data
                return
            }
            guard data.starts(with: Array("HTTP/1.1 200".utf8)) || data.starts(with: Array("HTTP/1.0 200".utf8)) else {
                return markClosed(slot, failedToOpen: true)
            }
            connections[slot].headDone = true
            opened.add(1, ordering: .relaxed)
            start = end + 4
        }
        var scanFrom = start
        while let found = Self.find(Self.marker, in: data, from: scanFrom) {
            var index = found + Self.marker.count
            var value = 0
            while index < data.count, data[index] >= 48, data[index] <= 57 {
                value = value * 10 + Int(data[index] - 48)
                index += 1
            }
            guard index < data.count else { break }  // the number may continue in the next read
            record(slot, message: value, at: now)
            scanFrom = index
        }
        let keepFrom = max(scanFrom, data.count - Self.marker.count - 12)
        connections[slot].pending = keepFrom < data.count ? Array(data[keepFrom...]) : []
    }

    private func record(_ slot: Int, message: Int, at time: Int64) {
        let word = message / 64, bit = UInt64(1) << UInt64(message % 64)
        guard word < connections[slot].seen.count else { return }
        if connections[slot].seen[word] & bit != 0 {
            duplicates += 1
            return
        }
        connections[slot].seen[word] |= bit
        deliveredMessages.append(Int32(message))
        deliveredAt.append(time)
    }

    private func markClosed(_ slot: Int, failedToOpen: Bool) {
        guard !connections[slot].closed else { return }
        connections[slot].closed = true
        epoll_ctl(epoll, EPOLL_CTL_DEL, connections[slot].fd, nil)
        close(connections[slot].fd)
        if failedToOpen { failed.add(1, ordering: .relaxed) } else { closedByServer += 1 }
    }

    /// Whether stream `slot` received `message`.
    func received(_ slot: Int, _ message: Int) -> Bool {
        let word = message / 64
        return word < connections[slot].seen.count && connections[slot].seen[word] & (UInt64(1) << UInt64(message % 64)) != 0
    }

    /// The first index of `needle` in `haystack` at or after `start` (memchr for its first
    /// byte, then a compare).
    static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard let first = needle.first, haystack.count - start >= needle.count else { return nil }
        return haystack.withUnsafeBytes { hay in
            var index = start
            let last = hay.count - needle.count
            while index <= last {
                guard let hit = memchr(hay.baseAddress! + index, Int32(first), last - index + 1) else { return nil }
                let offset = hay.baseAddress!.distance(to: UnsafeRawPointer(hit))
                if memcmp(hit, needle, needle.count) == 0 { return offset }
                index = offset + 1
            }
            return nil
        }
    }
}
