import Glibc

/// The outcome of a non-blocking system call: done, or "try again when the fd is ready".
enum IOResult<Value> {
    case processed(Value)
    case wouldBlock
}

/// The one place system calls are made (swift-nio `SystemCallHelpers`): retries `EINTR`,
/// turns `EAGAIN`/`EWOULDBLOCK` into `.wouldBlock`, and captures `errno` at the failing call.
/// `EBADF` and `EFAULT` mean we used a closed fd or a bad pointer: our bug, and continuing
/// could touch another connection's socket, so they stop the process.
@inline(__always)
func syscall<T: BinaryInteger>(_ name: StaticString, _ body: () -> T) throws(SocketError) -> IOResult<T> {
    while true {
        let result = body()
        if result != -1 { return .processed(result) }
        let code = errno
        switch code {
        case EINTR:
            continue
        case EAGAIN, EWOULDBLOCK:
            return .wouldBlock
        case EBADF, EFAULT:
            fatalError("\(name) failed with \(String(cString: strerror(code))): a file descriptor or buffer bug")
        default:
            throw SocketError(operation: name, errno: code)
        }
    }
}

/// For calls that never legitimately return `EAGAIN` (socket setup, epoll_ctl).
@inline(__always)
func syscallNoWait<T: BinaryInteger>(_ name: StaticString, _ body: () -> T) throws(SocketError) -> T {
    switch try syscall(name, body) {
    case .processed(let value): return value
    case .wouldBlock: throw SocketError(operation: name, errno: EAGAIN)
    }
}
