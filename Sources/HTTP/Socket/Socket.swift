import CLinuxShims
import Glibc

/// A non-blocking TCP socket: a file descriptor and the few calls the server makes on it.
/// A value type with no ownership magic: whoever holds it decides when to `close()`
/// (the listener belongs to `HTTPServer`, a connection's socket to its `Connection`).
struct Socket {
    let fd: Int32

    /// Ignores SIGPIPE for the whole process (Linux has no per-socket `SO_NOSIGPIPE`), as
    /// swift-nio does. Sends also pass `MSG_NOSIGNAL`, so a peer that went away is an `EPIPE`.
    static let ignoreSIGPIPE: Void = { _ = signal(SIGPIPE, SIG_IGN) }()

    /// A listening socket bound to `address`, non-blocking and close-on-exec.
    static func listen(on address: SocketAddress, backlog: Int32) throws(SocketError) -> Socket {
        Socket.ignoreSIGPIPE
        let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        let fd = try syscallNoWait("socket") { Glibc.socket(address.family, type, 0) }
        let socket = Socket(fd: fd)
        do {
            try socket.setOption(SOL_SOCKET, SO_REUSEADDR, 1)
            try address.withSockaddr { (sa, len) throws(SocketError) in _ = try syscallNoWait("bind") { Glibc.bind(fd, sa, len) } }
            _ = try syscallNoWait("listen") { Glibc.listen(fd, backlog) }
        } catch {
            socket.close()
            throw error
        }
        return socket
    }

    /// Accepts one pending connection as a non-blocking, close-on-exec socket.
    func accept() throws(SocketError) -> IOResult<(Socket, SocketAddress)> {
        var peer = SocketAddress()
        var accepted: Int32 = -1
        let flags = Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        let result = try syscall("accept4") { () -> Int32 in
            accepted = peer.fill { sa, len in clinux_accept4(fd, sa, len, flags) }
            return accepted
        }
        switch result {
        case .processed(let client): return .processed((Socket(fd: client), peer))
        case .wouldBlock: return .wouldBlock
        }
    }

    /// Reads into `buffer`; `.processed(0)` is the peer's end of input.
    func receive(into buffer: UnsafeMutableRawBufferPointer) throws(SocketError) -> IOResult<Int> {
        try syscall("recv") { Glibc.recv(fd, buffer.baseAddress, buffer.count, 0) }
    }

    /// Writes the buffers in order with one `sendmsg` (a gather write, no copy), never raising
    /// SIGPIPE. Returns how many bytes the kernel took.
    func send(_ buffers: UnsafeMutableBufferPointer<iovec>) throws(SocketError) -> IOResult<Int> {
        var message = msghdr()
        message.msg_iov = buffers.baseAddress
        message.msg_iovlen = buffers.count
        return try syscall("sendmsg") { Glibc.sendmsg(fd, &message, Int32(MSG_NOSIGNAL)) }
    }

    /// Writes one buffer (the common case: a whole response head and body).
    func send(_ bytes: UnsafeRawBufferPointer) throws(SocketError) -> IOResult<Int> {
        try syscall("send") { Glibc.send(fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL)) }
    }

    /// Sends up to `count` bytes of `file` from `offset` (advanced by what was sent) with
    /// `sendfile(2)`; `.processed(0)` means the file ended early.
    func sendFile(_ file: Int32, offset: inout off_t, count: Int) throws(SocketError) -> IOResult<Int> {
        try syscall("sendfile") { Glibc.sendfile(fd, file, &offset, count) }
    }

    /// Small responses go out at once instead of waiting for Nagle's timer.
    func setNoDelay() {
        try? setOption(Int32(IPPROTO_TCP), TCP_NODELAY, 1)
    }

    /// Sends FIN but keeps reading: the start of a lingering close.
    func shutdownWrite() {
        _ = Glibc.shutdown(fd, Int32(SHUT_WR))
    }

    func close() {
        // close(2) releases the descriptor even when it reports EINTR: never retry it.
        _ = Glibc.close(fd)
    }

    var localAddress: SocketAddress? {
        var address = SocketAddress()
        return address.fill { sa, len in getsockname(fd, sa, len) } == 0 ? address : nil
    }

    func setOption(_ level: Int32, _ name: Int32, _ value: Int32) throws(SocketError) {
        var value = value
        _ = try syscallNoWait("setsockopt") {
            setsockopt(fd, level, name, &value, socklen_t(MemoryLayout<Int32>.size))
        }
    }
}
