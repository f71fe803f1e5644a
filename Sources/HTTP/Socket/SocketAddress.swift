import Glibc

/// An IPv4 or IPv6 socket address, parsed from a literal host (no DNS: a listener's address
/// must be explicit) or filled in by `accept`.
struct SocketAddress: CustomStringConvertible {
    private(set) var storage = sockaddr_storage()

    var family: Int32 { Int32(storage.ss_family) }

    var length: socklen_t {
        family == AF_INET6 ? socklen_t(MemoryLayout<sockaddr_in6>.size) : socklen_t(MemoryLayout<sockaddr_in>.size)
    }

    init() {}

    /// `host` is an IPv4 or IPv6 literal (`127.0.0.1`, `::1`, `0.0.0.0`, `::`); `localhost`
    /// means `127.0.0.1`. Returns nil for anything else, so a typo fails at start.
    init?(host: String, port: Int) {
        guard (0...65535).contains(port) else { return nil }
        let literal = host == "localhost" ? "127.0.0.1" : host
        let portBE = in_port_t(port).bigEndian
        var v4 = sockaddr_in()
        if inet_pton(AF_INET, literal, &v4.sin_addr) == 1 {
            v4.sin_family = sa_family_t(AF_INET)
            v4.sin_port = portBE
            withUnsafeMutableBytes(of: &storage) { raw in raw.storeBytes(of: v4, as: sockaddr_in.self) }
            return
        }
        var v6 = sockaddr_in6()
        let bracketless = literal.hasPrefix("[") && literal.hasSuffix("]") ? String(literal.dropFirst().dropLast()) : literal
        if inet_pton(AF_INET6, bracketless, &v6.sin6_addr) == 1 {
            v6.sin6_family = sa_family_t(AF_INET6)
            v6.sin6_port = portBE
            withUnsafeMutableBytes(of: &storage) { raw in raw.storeBytes(of: v6, as: sockaddr_in6.self) }
            return
        }
        return nil
    }

    /// Runs `body` with the address as the `sockaddr` pointer the C calls want.
    func withSockaddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) throws(SocketError) -> R) throws(SocketError) -> R {
        var copy = storage
        let len = length
        return try withUnsafePointer(to: &copy) { (pointer) throws(SocketError) -> R in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { (sa) throws(SocketError) -> R in try body(sa, len) }
        }
    }

    /// Fills the address through a `sockaddr` pointer (accept, getsockname).
    mutating func fill(_ body: (UnsafeMutablePointer<sockaddr>, UnsafeMutablePointer<socklen_t>) -> Int32) -> Int32 {
        var len = socklen_t(MemoryLayout<sockaddr_storage>.size)
        return withUnsafeMutablePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, &len) }
        }
    }

    var port: Int {
        withUnsafeBytes(of: storage) { raw in
            family == AF_INET6
                ? Int(in_port_t(bigEndian: raw.load(as: sockaddr_in6.self).sin6_port))
                : Int(in_port_t(bigEndian: raw.load(as: sockaddr_in.self).sin_port))
        }
    }

    /// The numeric host (`127.0.0.1`, `::1`), for logs.
    var host: String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        let ok: Bool = withUnsafeBytes(of: storage) { raw in
            if family == AF_INET6 {
                var addr = raw.load(as: sockaddr_in6.self).sin6_addr
                return inet_ntop(AF_INET6, &addr, &buffer, socklen_t(buffer.count)) != nil
            } else {
                var addr = raw.load(as: sockaddr_in.self).sin_addr
                return inet_ntop(AF_INET, &addr, &buffer, socklen_t(buffer.count)) != nil
            }
        }
        guard ok else { return "?" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    var description: String { family == AF_INET6 ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
