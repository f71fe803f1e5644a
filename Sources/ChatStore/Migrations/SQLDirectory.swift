import Foundation

/// Finds the `sql/` directory of migrations: `CHAT_SQL_DIR` when set, else the first `sql/`
/// holding an `NNN_*.sql` file in the executable's directory or the current directory or any of
/// their parents. So `chatctl` works from a build folder (`.build-x/debug/chatctl` finds the
/// repository's `sql/`), from the repository root, and from an image with `/app/sql`.
public enum SQLDirectory {
    /// The environment variable that names the directory outright.
    public static let environmentVariable = "CHAT_SQL_DIR"

    /// - Throws: `ChatStoreError.sqlDirectoryNotFound` naming where it looked.
    public static func locate(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        startingPoints: [URL] = defaultStartingPoints()
    ) throws -> URL {
        if let configured = environment[environmentVariable], !configured.isEmpty {
            let url = URL(fileURLWithPath: configured, isDirectory: true)
            guard holdsMigrations(url) else {
                throw ChatStoreError.sqlDirectoryNotFound(searched: ["\(environmentVariable)=\(configured)"])
            }
            return url
        }
        var searched: [String] = []
        for start in startingPoints {
            var directory = start.standardizedFileURL
            while true {
                let candidate = directory.appendingPathComponent("sql", isDirectory: true)
                if holdsMigrations(candidate) { return candidate }
                let parent = directory.deletingLastPathComponent()
                if parent.path == directory.path { break }
                directory = parent
            }
            searched.append("\(start.path) and its parents")
        }
        throw ChatStoreError.sqlDirectoryNotFound(searched: searched)
    }

    /// The directory of the running executable, then the current directory.
    public static func defaultStartingPoints() -> [URL] {
        var points: [URL] = []
        if let executable = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            points.append(URL(fileURLWithPath: executable).deletingLastPathComponent())
        }
        points.append(URL(fileURLWithPath: FileManager.default.currentDirectoryPath, isDirectory: true))
        return points
    }

    private static func holdsMigrations(_ directory: URL) -> Bool {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return false }
        return names.contains { name in
            name.hasSuffix(".sql") && name.first.map { $0.isASCII && $0.isNumber } == true
        }
    }
}
