import Glibc

/// Part of an open file, sent as a response body with `sendfile(2)`: the kernel copies from
/// the page cache to the socket, and the bytes never pass through user space. Owns the
/// descriptor (closed when the last reference goes, after the response was written or
/// dropped). The file must not shrink while it is sent: a short file closes the connection
/// (the client sees fewer bytes than `Content-Length`).
public final class FileRegion: Sendable {
    let descriptor: Int32
    /// Where the region starts in the file, and how many bytes it has.
    public let offset: Int64
    public let length: Int64

    /// Opens `path` read-only; nil when it cannot be opened.
    public init?(path: String, offset: Int64, length: Int64) {
        let descriptor = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        self.descriptor = descriptor
        self.offset = offset
        self.length = length
    }

    deinit { _ = Glibc.close(descriptor) }
}
