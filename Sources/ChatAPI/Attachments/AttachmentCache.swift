import Foundation
import Glibc
import HTTP
import Synchronization

/// Attachment bytes on local disk, named by their SHA-256, so that a download goes out with
/// `sendfile` (the kernel copies from the page cache to the socket) instead of through
/// PostgreSQL and this process (docs/architecture.md, "ChatAPI": attachments).
///
/// PostgreSQL stays the truth: every download is still authorised and looked up there first,
/// and the cache only holds bytes. An upload's bytes never change, so a file named by its
/// SHA-256 never goes stale; a deleted attachment is refused by the lookup before the cache
/// is asked, and its file leaves with the least recently used. A file is written under a
/// temporary name, checked against the size the database recorded and renamed, so a reader
/// never sees part of a file. Bounded by `maxBytes`: past it the least recently used files
/// are removed (a file being sent stays readable until it is closed: Linux keeps an unlinked
/// file's bytes for open descriptors).
final class AttachmentCache: Sendable {
    let directory: String
    let maxBytes: Int64

    private struct Entry {
        var size: Int64
        var lastUse: UInt64
    }

    private struct State {
        var entries: [String: Entry] = [:]
        var total: Int64 = 0
        var clock: UInt64 = 0
        /// Files being written: a second download of the same file meanwhile is streamed
        /// from the database instead of writing it twice.
        var filling: Set<String> = []
    }

    private let state = Mutex(State())
    /// Set by `open` once the directory is ready.
    private let isOpen = Atomic<Bool>(false)
    private let logger: Logger

    init(directory: String, maxBytes: Int64, logger: Logger) {
        self.directory = directory
        self.maxBytes = maxBytes
        self.logger = logger
    }

    /// Takes the directory over (created private when missing, emptied: whatever a previous
    /// process left is not trusted). When it cannot, says why and stays closed: downloads are
    /// then read from the database.
    func open() {
        let files = FileManager.default
        do {
            try files.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            for name in try files.contentsOfDirectory(atPath: directory) {
                try files.removeItem(atPath: directory + "/" + name)
            }
            isOpen.store(true, ordering: .releasing)
        } catch {
            logger.warning("attachment cache unavailable; downloads are read from the database",
                           ["directory": .string(directory), "error": .string(String(describing: error))])
        }
    }

    /// Closes the cache and removes its directory (a clean shutdown).
    func remove() {
        guard isOpen.exchange(false, ordering: .acquiringAndReleasing) else { return }
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// `range` of the cached file with this SHA-256 (hex), opened; nil when it is not cached.
    func region(sha256 hex: String, range: ClosedRange<Int64>) -> FileRegion? {
        guard isOpen.load(ordering: .acquiring) else { return nil }
        let cached = state.withLock { state -> Bool in
            guard state.entries[hex] != nil else { return false }
            state.clock += 1
            state.entries[hex]!.lastUse = state.clock
            return true
        }
        guard cached else { return nil }
        return FileRegion(path: path(hex), offset: range.lowerBound, length: Int64(range.count))
    }

    /// Writes the file of `size` bytes, read in order with `chunk(index)` (nil: the file is
    /// gone), into the cache. False when it was not cached: too large for the cache, being
    /// written by another download, gone, short, or the disk refused.
    func fill(sha256 hex: String, size: Int64, chunk: (Int) async throws -> [UInt8]?) async -> Bool {
        guard isOpen.load(ordering: .acquiring), size > 0, size <= maxBytes / 4 else { return false }
        let claimed = state.withLock { state in state.entries[hex] == nil && state.filling.insert(hex).inserted }
        guard claimed else { return false }
        defer { _ = state.withLock { $0.filling.remove(hex) } }
        let temporary = directory + "/." + hex + "." + UUID().uuidString
        let descriptor = Glibc.open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { return false }
        var written: Int64 = 0
        var complete = false
        defer {
            Glibc.close(descriptor)
            if !complete { unlink(temporary) }
        }
        var index = 0
        while written < size {
            guard let bytes = try? await chunk(index), !bytes.isEmpty, Self.write(bytes, to: descriptor) else { return false }
            written += Int64(bytes.count)
            index += 1
        }
        guard written == size, rename(temporary, path(hex)) == 0 else { return false }
        complete = true
        let evicted = state.withLock { state -> [String] in
            state.clock += 1
            state.entries[hex] = Entry(size: size, lastUse: state.clock)
            state.total += size
            var evicted: [String] = []
            while state.total > maxBytes, let oldest = state.entries.min(by: { $0.value.lastUse < $1.value.lastUse }) {
                state.entries[oldest.key] = nil
                state.total -= oldest.value.size
                evicted.append(oldest.key)
            }
            return evicted
        }
        for name in evicted { unlink(path(name)) }
        return state.withLock { $0.entries[hex] != nil }
    }

    private func path(_ hex: String) -> String { directory + "/" + hex }

    /// Writes all of `bytes` (retrying short writes); false on an error.
    private static func write(_ bytes: [UInt8], to descriptor: Int32) -> Bool {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let count = Glibc.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { return false }
                offset += count
            }
            return true
        }
    }
}
