import Glibc

/// A failed system call, with the errno captured at the call site.
struct SocketError: Error, CustomStringConvertible, Equatable {
    let operation: String
    let errno: Int32

    init(operation: StaticString, errno: Int32) {
        self.operation = "\(operation)"
        self.errno = errno
    }

    init(operation: String, errno: Int32) {
        self.operation = operation
        self.errno = errno
    }

    var description: String { "\(operation): \(String(cString: strerror(errno))) (errno \(errno))" }

    /// The peer went away: nothing to report beyond closing the connection.
    var isPeerGone: Bool { errno == ECONNRESET || errno == EPIPE || errno == ETIMEDOUT || errno == ENOTCONN }
}
