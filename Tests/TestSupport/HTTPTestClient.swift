import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A raw HTTP/1.1 client over one loopback TCP connection, for tests: send any bytes (valid
/// or not), read a response (status, headers, body by length, chunks or close), open a
/// Server-Sent Events stream and read its events, notice the server closing.
///
/// Socket calls block, so they run on the client's own serial queue, never on the cooperative
/// thread pool (which the server under test needs for its handlers); every read has a timeout.
/// Async tests open connections with `connect(port:)`, which does the same for `connect(2)`.
/// It does not import the HTTP module: other suites use it against real service processes.
///
/// `@unchecked Sendable`: `fd` is immutable, and `buffer`/`reachedEnd` are touched only by
/// blocks running on the serial `queue`.
public final class HTTPTestClient: @unchecked Sendable {
    public let host: String
    public let port: Int
    private let fd: Int32
    private let queue = DispatchQueue(label: "HTTPTestClient")
    private var buffer: [UInt8] = []
    private var reachedEnd = false

    /// Connects (within 5 s). `receiveBufferSize` shrinks the kernel's receive buffer first,
    /// so a client that stops reading makes the server's output back up sooner.
    public init(host: String = "127.0.0.1", port: Int, receiveBufferSize: Int? = nil) throws {
        self.host = host
        self.port = port
        let family = host.contains(":") ? AF_INET6 : AF_INET
        fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw HTTPTestError("socket: \(String(cString: strerror(errno)))") }
        if var size = receiveBufferSize.map(Int32.init) {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let connected: Int32
        if family == AF_INET6 {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = in_port_t(port).bigEndian
            inet_pton(AF_INET6, host, &address.sin6_addr)
            connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
            }
        } else {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(port).bigEndian
            inet_pton(AF_INET, host == "localhost" ? "127.0.0.1" : host, &address.sin_addr)
            connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        }
        guard connected == 0 else {
            let reason = String(cString: strerror(errno))
            Glibc.close(fd)
            throw HTTPTestError("connect to \(host):\(port): \(reason)")
        }
    }

    /// `init` on a thread of its own: `connect` blocks (up to 5 s) while the server's listen
    /// backlog is full, which must not hold a cooperative thread. Prefer it in async tests.
    ///
    /// `sending` is written right after connecting, on that same thread: for a server whose
    /// request timer starts when the connection opens, the bytes are there at once however
    /// long a busy machine takes to resume the test.
    public static func connect(
        host: String = "127.0.0.1", port: Int, receiveBufferSize: Int? = nil, sending initialBytes: [UInt8] = []
    ) async throws -> HTTPTestClient {
        try await offloaded {
            let client = try HTTPTestClient(host: host, port: port, receiveBufferSize: receiveBufferSize)
            try Self.write(initialBytes, to: client.fd)
            return client
        }
    }

    deinit { Glibc.close(fd) }

    // MARK: Sending

    public func send(_ text: String) async throws { try await send(Array(text.utf8)) }

    /// Writes every byte (a server that closed early makes this throw).
    public func send(_ bytes: [UInt8]) async throws {
        try await onQueue { [fd] in try Self.write(bytes, to: fd) }
    }

    /// Writes every byte, blocking (up to the 5 s send timeout while the server does not read).
    private static func write(_ bytes: [UInt8], to fd: Int32) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL)) }
            if written < 0 {
                if errno == EINTR { continue }
                throw HTTPTestError("send: \(String(cString: strerror(errno)))")
            }
            offset += written
        }
    }

    /// Closes the connection now (the server sees the client go away).
    public func close() { shutdown(fd, Int32(SHUT_RDWR)) }

    /// Sends FIN: the server sees the end of our input.
    public func shutdownWrite() { shutdown(fd, Int32(SHUT_WR)) }

    /// One request on this connection, and its response.
    public func request(_ method: String = "GET", _ path: String, headers: [(String, String)] = [],
                        body: [UInt8] = [], timeout: Duration = .seconds(5)) async throws -> HTTPTestResponse {
        try await send(Self.encodeRequest(method, path, host: "\(host):\(port)", headers: headers, body: body))
        return try await readResponse(timeout: timeout, isHEAD: method == "HEAD")
    }

    /// A request on a new connection (`Connection: close`).
    public static func request(host: String = "127.0.0.1", port: Int, _ method: String = "GET", _ path: String,
                               headers: [(String, String)] = [], body: [UInt8] = [],
                               timeout: Duration = .seconds(5)) async throws -> HTTPTestResponse {
        let client = try await connect(host: host, port: port)
        return try await client.request(method, path, headers: headers + [("Connection", "close")], body: body, timeout: timeout)
    }

    public static func encodeRequest(_ method: String, _ path: String, host: String, headers: [(String, String)], body: [UInt8]) -> [UInt8] {
        var text = "\(method) \(path) HTTP/1.1\r\nHost: \(host)\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        if !body.isEmpty || method == "POST" || method == "PUT" || method == "PATCH" { text += "Content-Length: \(body.count)\r\n" }
        text += "\r\n"
        return Array(text.utf8) + body
    }

    // MARK: Reading responses

    /// Reads one complete response. `isHEAD`: the response to a HEAD has no body.
    public func readResponse(timeout: Duration = .seconds(5), isHEAD: Bool = false) async throws -> HTTPTestResponse {
        try await onQueue { [self] in
            let deadline = Self.deadline(after: timeout)
            var head = try readHead(deadline)
            if isHEAD || head.status == 204 || head.status == 304 || (100..<200).contains(head.status) { return head }
            if let length = head.header("Content-Length").flatMap(Int.init) {
                head.body = try take(length, deadline)
            } else if head.header("Transfer-Encoding")?.lowercased() == "chunked" {
                head.body = try readChunked(deadline)
            } else {
                head.body = try readUntilEnd(deadline)
            }
            return head
        }
    }

    /// Reads only the status line and headers (for an event stream, whose body never ends).
    public func readResponseHead(timeout: Duration = .seconds(5)) async throws -> HTTPTestResponse {
        try await onQueue { [self] in try readHead(Self.deadline(after: timeout)) }
    }

    /// Everything until the server closes.
    public func readToEnd(timeout: Duration = .seconds(5)) async throws -> [UInt8] {
        try await onQueue { [self] in try readUntilEnd(Self.deadline(after: timeout)) }
    }

    /// True when the server closes the connection (FIN or reset) within `timeout`; bytes
    /// that arrive meanwhile are dropped.
    public func waitForClose(timeout: Duration) async throws -> Bool {
        try await onQueue { [self] in
            let deadline = Self.deadline(after: timeout)
            while !reachedEnd {
                buffer.removeAll()
                guard try fill(deadline, throwOnTimeout: false) else { return false }
            }
            return true
        }
    }

    /// Sends `bytes` one at a time, `interval` apart, as a slowloris client does, until the
    /// server answers or closes. The whole loop runs on the client's own thread, so a busy test
    /// process cannot stretch the gaps between bytes nor delay noticing the answer.
    /// - Returns: the time from the first byte to the server's answer (or close, or a send
    ///   refused because it closed); nil when every byte went out unanswered. What it answered
    ///   is left to read.
    public func trickle(_ bytes: [UInt8], every interval: Duration) async throws -> Duration? {
        try await onQueue { [self] in
            let started = ContinuousClock.now
            for byte in bytes {
                if !buffer.isEmpty || reachedEnd { return ContinuousClock.now - started }
                do {
                    try Self.write([byte], to: fd)
                } catch {
                    return ContinuousClock.now - started
                }
                try fill(Self.deadline(after: interval), throwOnTimeout: false)
            }
            return !buffer.isEmpty || reachedEnd ? ContinuousClock.now - started : nil
        }
    }

    /// Opens `GET path` as an event stream and returns the response head (read events with `nextEvent`).
    public func openEventStream(_ path: String, headers: [(String, String)] = [],
                                timeout: Duration = .seconds(5)) async throws -> HTTPTestResponse {
        try await send(Self.encodeRequest("GET", path, host: "\(host):\(port)",
                                          headers: [("Accept", "text/event-stream")] + headers, body: []))
        return try await readResponseHead(timeout: timeout)
    }

    /// The next block of an event stream up to its blank line: an event, a `retry:`, or
    /// comments (heartbeats). Nil when the server closed the stream.
    public func nextBlock(timeout: Duration = .seconds(5)) async throws -> SSEEvent? {
        try await onQueue { [self] in
            let deadline = Self.deadline(after: timeout)
            var event = SSEEvent()
            var sawLine = false
            while true {
                guard let line = try readLine(deadline, allowEnd: true) else { return sawLine ? event : nil }
                if line.isEmpty {
                    if sawLine { return event }
                    continue
                }
                sawLine = true
                event.add(line: line)
            }
        }
    }

    /// The next event with data (heartbeat comments and `retry:`-only blocks are skipped).
    public func nextEvent(timeout: Duration = .seconds(5)) async throws -> SSEEvent? {
        let deadline = ContinuousClock.now + timeout
        while true {
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else { throw HTTPTestError("timed out waiting for an event") }
            guard let block = try await nextBlock(timeout: remaining) else { return nil }
            if block.data != nil { return block }
        }
    }

    // MARK: Blocking internals (run on `queue`)

    private func onQueue<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try body() }) }
        }
    }

    private static func deadline(after timeout: Duration) -> DispatchTime {
        let (seconds, attoseconds) = timeout.components
        return .now() + .nanoseconds(Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000))
    }

    /// Reads more into `buffer`; false at the deadline (or throws, if asked).
    @discardableResult
    private func fill(_ deadline: DispatchTime, throwOnTimeout: Bool = true) throws -> Bool {
        if reachedEnd { return false }
        let now = DispatchTime.now()
        let milliseconds = deadline > now ? Int32(min((deadline.uptimeNanoseconds - now.uptimeNanoseconds) / 1_000_000 + 1, 60_000)) : 0
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let ready = poll(&poller, 1, milliseconds)
        if ready == 0 {
            if throwOnTimeout { throw HTTPTestError("timed out waiting for the server") }
            return false
        }
        if ready < 0 {
            if errno == EINTR { return true }
            throw HTTPTestError("poll: \(String(cString: strerror(errno)))")
        }
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if count > 0 {
            buffer.append(contentsOf: chunk[0..<count])
        } else if count == 0 || errno == ECONNRESET {
            reachedEnd = true
        } else if errno != EINTR && errno != EAGAIN {
            throw HTTPTestError("recv: \(String(cString: strerror(errno)))")
        }
        return true
    }

    private func take(_ count: Int, _ deadline: DispatchTime) throws -> [UInt8] {
        while buffer.count < count {
            guard try fill(deadline) else { break }
            if reachedEnd && buffer.count < count { throw HTTPTestError("connection closed after \(buffer.count) of \(count) bytes") }
        }
        let taken = Array(buffer[0..<count])
        buffer.removeFirst(count)
        return taken
    }

    /// A line without its CRLF (or LF); nil at the end of input when `allowEnd`.
    private func readLine(_ deadline: DispatchTime, allowEnd: Bool = false) throws -> String? {
        while true {
            if let newline = buffer.firstIndex(of: 10) {
                var line = Array(buffer[0..<newline])
                buffer.removeFirst(newline + 1)
                if line.last == 13 { line.removeLast() }
                return String(decoding: line, as: UTF8.self)
            }
            if reachedEnd {
                if allowEnd { return nil }
                throw HTTPTestError("connection closed in the middle of a line")
            }
            try fill(deadline)
        }
    }

    private func readHead(_ deadline: DispatchTime) throws -> HTTPTestResponse {
        guard let statusLine = try readLine(deadline, allowEnd: true) else {
            throw HTTPTestError("connection closed before a response")
        }
        let parts = statusLine.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]) else {
            throw HTTPTestError("malformed status line: \(statusLine)")
        }
        var headers: [(name: String, value: String)] = []
        while let line = try readLine(deadline), !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else { throw HTTPTestError("malformed header line: \(line)") }
            headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        return HTTPTestResponse(status: status, reason: parts.count > 2 ? String(parts[2]) : "", headers: headers, body: [])
    }

    private func readChunked(_ deadline: DispatchTime) throws -> [UInt8] {
        var body: [UInt8] = []
        while true {
            guard let line = try readLine(deadline), let size = Int(line.split(separator: ";")[0], radix: 16) else {
                throw HTTPTestError("malformed chunk size")
            }
            if size == 0 {
                while let trailer = try readLine(deadline), !trailer.isEmpty {}
                return body
            }
            body += try take(size, deadline)
            _ = try readLine(deadline)
        }
    }

    private func readUntilEnd(_ deadline: DispatchTime) throws -> [UInt8] {
        while !reachedEnd { try fill(deadline) }
        defer { buffer.removeAll() }
        return buffer
    }
}

/// A response as read off the wire.
public struct HTTPTestResponse: Sendable {
    public var status: Int
    public var reason: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    /// The first value of `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    public func headerValues(_ name: String) -> [String] {
        headers.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
    }

    public var text: String { String(decoding: body, as: UTF8.self) }

    /// The body decoded as JSON into `T`.
    public func decode<T: Decodable>(_ type: T.Type) throws -> T { try JSONDecoder().decode(type, from: Data(body)) }

    /// The `error.code` of an API error body, if it is one.
    public var errorCode: String? {
        struct Envelope: Decodable { struct Inner: Decodable { let code: String }; let error: Inner }
        return try? decode(Envelope.self).error.code
    }
}

/// One block of a Server-Sent Events stream (WHATWG HTML §9.2.6 field rules).
public struct SSEEvent: Sendable, Equatable {
    public var id: String?
    public var event: String?
    /// The `data:` lines joined by newlines; nil when the block had none.
    public var data: String?
    public var retry: Int?
    public var comments: [String] = []

    public init() {}

    mutating func add(line: String) {
        if line.hasPrefix(":") {
            comments.append(String(line.dropFirst()).trimmingCharacters(in: .whitespaces))
            return
        }
        let field = line.firstIndex(of: ":").map { String(line[..<$0]) } ?? line
        var value = line.firstIndex(of: ":").map { String(line[line.index(after: $0)...]) } ?? ""
        if value.hasPrefix(" ") { value.removeFirst() }
        switch field {
        case "id": id = value
        case "event": event = value
        case "data": data = data.map { $0 + "\n" + value } ?? value
        case "retry": retry = Int(value)
        default: break
        }
    }
}

public struct HTTPTestError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
