import ChatStore
import Foundation
import TestSupport

/// A folder holding the project's migrations before one version, so a test can build the
/// database a release before it, fill it, and then apply the rest (an upgrade in place).
struct EarlierMigrations {
    let directory: URL
    /// Every migration of the project.
    let all: [Migration]

    init(before version: Int) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("before-\(version)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        all = try Migrator(sqlDirectory: TestDatabase.sqlDirectory).migrations()
        for migration in all where migration.version < version {
            try FileManager.default.copyItem(at: TestDatabase.sqlDirectory.appendingPathComponent(migration.fileName),
                                             to: directory.appendingPathComponent(migration.fileName))
        }
    }

    /// The SQL text of migration `version`, to apply it again by hand.
    func script(_ version: Int) throws -> String {
        guard let file = all.first(where: { $0.version == version })?.fileName else { return "" }
        return try String(contentsOf: TestDatabase.sqlDirectory.appendingPathComponent(file), encoding: .utf8)
    }

    func remove() {
        try? FileManager.default.removeItem(at: directory)
    }
}
