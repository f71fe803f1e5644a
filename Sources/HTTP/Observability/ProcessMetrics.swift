import Glibc

/// The process's own resources as Prometheus's conventional gauges, read from `/proc/self` and
/// `getrlimit` at every scrape: `process_open_fds`, `process_max_fds` (the soft
/// `RLIMIT_NOFILE`: every socket, stream included, is one) and
/// `process_resident_memory_bytes`. The alert on descriptors near the limit and the
/// dashboard's memory panel read them.
public enum ProcessMetrics {
    /// Registers the collector that refreshes the three gauges before each `render()`.
    public static func register(in registry: MetricsRegistry) {
        let openDescriptors = registry.gauge("process_open_fds", help: "Open file descriptors.")
        let maxDescriptors = registry.gauge("process_max_fds", help: "The soft limit on open file descriptors (RLIMIT_NOFILE).")
        let residentMemory = registry.gauge("process_resident_memory_bytes", help: "Resident memory size in bytes.")
        registry.registerCollector {
            if let count = openDescriptorCount() { openDescriptors.set(Double(count)) }
            if let limit = descriptorLimit() { maxDescriptors.set(Double(limit)) }
            if let bytes = residentBytes() { residentMemory.set(Double(bytes)) }
        }
    }

    /// Entries of `/proc/self/fd`, less the one the listing itself holds open.
    static func openDescriptorCount() -> Int? {
        guard let directory = opendir("/proc/self/fd") else { return nil }
        defer { closedir(directory) }
        var count = 0
        while let entry = readdir(directory) {
            if entry.pointee.d_name.0 != UInt8(ascii: ".") { count += 1 }
        }
        return count - 1
    }

    static func descriptorLimit() -> UInt64? {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return nil }
        return UInt64(limit.rlim_cur)
    }

    /// The second field of `/proc/self/statm` (resident pages) times the page size.
    static func residentBytes() -> Int? {
        let descriptor = open("/proc/self/statm", O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: 128)
        let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        guard count > 0 else { return nil }
        let fields = buffer[..<count].split(separator: UInt8(ascii: " "))
        guard fields.count > 1, let pages = Int(String(decoding: fields[1], as: UTF8.self)) else { return nil }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}
