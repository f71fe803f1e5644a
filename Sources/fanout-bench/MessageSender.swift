import Foundation
import Glibc
import Synchronization

/// Publishes messages at a steady rate (open loop: message `n` is due at `start + n / rate`,
/// whatever the answers before it took) over a few keep-alive connections, one thread each,
/// and notes when each request went out and when it was acknowledged (chat-api's 201, nchan's
/// 201/202).
///
/// `@unchecked Sendable`: each thread writes only the `sentAt` and `acknowledgedAt` slots of its
/// own messages; the main thread reads them after every sender thread finished.
final class MessageSender: @unchecked Sendable {
    let sentAt: UnsafeMutableBufferPointer<Int64>
    let acknowledgedAt: UnsafeMutableBufferPointer<Int64>
    let errors = Atomic<Int>(0)
    private let host: String
    private let port: Int
    private let request: (Int) -> [UInt8]

    init(host: String, port: Int, capacity: Int, request: @escaping (Int) -> [UInt8]) {
        self.host = host
        self.port = port
        self.request = request
        sentAt = .allocate(capacity: capacity)
        sentAt.initialize(repeating: 0)
        acknowledgedAt = .allocate(capacity: capacity)
        acknowledgedAt.initialize(repeating: 0)
    }

    /// Sends messages `connection`, `connection + connections`, ... below `count`, message `n`
    /// not before `start + n * interval` (nanoseconds).
    func run(connection: Int, connections: Int, count: Int, start: Int64, interval: Double) {
        var fd = connect()
        var buffer = [UInt8](repeating: 0, count: 16_384)
        var message = connection
        while message < count {
            sleep(until: start + Int64(Double(message) * interval))
            let bytes = request(message)
            sentAt[message] = monotonicNanoseconds()
            let sent = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent == bytes.count, let status = readResponse(fd, &buffer), (200..<300).contains(status) {
                acknowledgedAt[message] = monotonicNanoseconds()
            } else {
                errors.add(1, ordering: .relaxed)
                close(fd)
                fd = connect()
            }
            message += connections
        }
        close(fd)
    }

    private func connect() -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(port).bigEndian
        inet_pton(AF_INET, host, &address.sin_addr)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if result != 0 { fail("cannot connect to the publisher at \(host):\(port)") }
        return fd
    }

    /// Reads one response (head, then `Content-Length` bytes); its status, or nil.
    private func readResponse(_ fd: Int32, _ buffer: inout [UInt8]) -> Int? {
        var data: [UInt8] = []
        let separator = Array("\r\n\r\n".utf8)
        while true {
            if let end = StreamReceiver.find(separator, in: data, from: 0) {
                let head = String(decoding: data[0..<end], as: UTF8.self)
                let status = Int(head.split(separator: " ").dropFirst().first ?? "") ?? 0
                var length = 0
                for line in head.split(separator: "\r\n") where line.lowercased().hasPrefix("content-length:") {
                    length = Int(line.dropFirst(15).trimmingCharacters(in: .whitespaces)) ?? 0
                }
                while data.count < end + 4 + length {
                    let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                    guard count > 0 else { return nil }
                    data.append(contentsOf: buffer[0..<count])
                }
                return status
            }
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { return nil }
            data.append(contentsOf: buffer[0..<count])
        }
    }
}
