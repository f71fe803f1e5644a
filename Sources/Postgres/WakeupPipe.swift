import Glibc

/// A pipe whose read end joins a `poll()` set, so another thread can interrupt the wait
/// (the listener's `stop()`): writing one byte makes the read end readable for good.
///
/// If the process is out of file descriptors the pipe is unavailable (`readDescriptor` is -1,
/// which `poll` ignores) and waiters must fall back to short timeouts (`pollInterval`).
final class WakeupPipe: Sendable {
    /// The end to poll for `POLLIN`, or -1.
    let readDescriptor: Int32
    private let writeDescriptor: Int32

    init() {
        var descriptors: [Int32] = [-1, -1]
        if pipe(&descriptors) == 0 {
            for descriptor in descriptors {
                _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
                _ = fcntl(descriptor, F_SETFL, O_NONBLOCK)
            }
        }
        readDescriptor = descriptors[0]
        writeDescriptor = descriptors[1]
    }

    deinit {
        if readDescriptor >= 0 { close(readDescriptor) }
        if writeDescriptor >= 0 { close(writeDescriptor) }
    }

    /// The longest a `poll` including this pipe should wait (ms): forever (-1) when the pipe
    /// works, else short enough that a stop is noticed promptly.
    var pollInterval: Int32 { readDescriptor >= 0 ? -1 : 200 }

    /// Makes the read end readable. Safe from any thread, any number of times.
    func signal() {
        guard writeDescriptor >= 0 else { return }
        var byte: UInt8 = 1
        _ = write(writeDescriptor, &byte, 1)
    }
}
