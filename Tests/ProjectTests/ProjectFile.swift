import Foundation

/// Reads the repository's own files (the compose file, scripts, README, sources) so the tests
/// can check that what we ship for operators agrees with the code.
enum ProjectFile {
    /// The repository root: this file lives at `Tests/ProjectTests/ProjectFile.swift`.
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()
        .deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The text of a file given relative to the root; throws naming the path when missing.
    static func text(_ relativePath: String) throws -> String {
        let url = root.appendingPathComponent(relativePath)
        do {
            return try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw ProjectFileError(path: relativePath, reason: "\(error)")
        }
    }

    /// Whether the file at the relative path exists and its owner may execute it.
    static func isExecutable(_ relativePath: String) -> Bool {
        FileManager.default.isExecutableFile(atPath: root.appendingPathComponent(relativePath).path)
    }

    /// Every `.swift` file under a folder of the root, as paths relative to the root.
    static func swiftFiles(under folder: String) -> [String] {
        let base = root.appendingPathComponent(folder).resolvingSymlinksInPath()
        guard let walker = FileManager.default.enumerator(at: base, includingPropertiesForKeys: nil) else {
            return []
        }
        let basePath = base.path
        return walker.compactMap { item in
            guard let url = item as? URL, url.pathExtension == "swift" else { return nil }
            let path = url.resolvingSymlinksInPath().path
            guard path.hasPrefix(basePath + "/") else { return nil }
            return folder + path.dropFirst(basePath.count)
        }.sorted()
    }
}

/// A project file that could not be read.
struct ProjectFileError: Error, CustomStringConvertible {
    let path: String
    let reason: String
    var description: String { "cannot read \(path): \(reason)" }
}
