#if canImport(Glibc)
import Glibc
#endif

/// Where a `Logger`'s lines go. Standard output in the services (twelve-factor: the platform
/// collects it); a closure in tests that need to read what was logged.
public struct LogOutput: Sendable {
    let write: @Sendable ([UInt8]) -> Void

    /// Creates an output that receives each complete line (ending in `\n`).
    public init(_ write: @escaping @Sendable ([UInt8]) -> Void) { self.write = write }

    /// One `write(2)` per line, so lines from different threads never interleave (writes of up
    /// to `PIPE_BUF` bytes to a pipe are atomic; longer lines are retried until written).
    public static let standardOutput = fileDescriptor(STDOUT_FILENO)

    /// Lines written to an open descriptor, one `write(2)` per line.
    static func fileDescriptor(_ descriptor: Int32) -> LogOutput {
        LogOutput { line in
            line.withUnsafeBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let written = Glibc.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                    if written > 0 {
                        offset += written
                    } else if written < 0 && errno == EINTR {
                        continue
                    } else {
                        return  // closed or failing: dropping a log line beats failing a request
                    }
                }
            }
        }
    }
}
