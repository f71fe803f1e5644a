import Foundation

/// CPU time and resident memory of the server under test, from `/proc` (summed over its
/// processes).
struct ServerSample {
    let cpuSeconds: Double
    let residentKiB: Int

    init(pids: [Int32]) {
        let samples = pids.map(ServerSample.init(pid:))
        cpuSeconds = samples.reduce(0) { $0 + $1.cpuSeconds }
        residentKiB = samples.reduce(0) { $0 + $1.residentKiB }
    }

    init(pid: Int32) {
        guard pid > 0,
              let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        else {
            cpuSeconds = 0
            residentKiB = 0
            return
        }
        // Fields after the command name (which is in parentheses and may hold spaces).
        let fields = stat[stat.index(after: stat.lastIndex(of: ")")!)...].split(separator: " ")
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        cpuSeconds = ((Double(fields[11]) ?? 0) + (Double(fields[12]) ?? 0)) / ticks
        let rss = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        residentKiB = Int(rss.split(separator: " ").dropFirst().first ?? "") ?? 0
    }
}
