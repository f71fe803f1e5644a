import Foundation

/// One file of `sql/`: `NNN_name.sql`, applied once, in version order.
public struct Migration: Sendable, Equatable {
    /// The number before the first underscore (`001_schema.sql` is version 1).
    public var version: Int
    /// The rest of the name without `.sql` (`schema`), as recorded in `chat.schema_migrations`.
    public var name: String
    /// Where the file is.
    public var url: URL

    /// The file name, `001_schema.sql`.
    public var fileName: String { url.lastPathComponent }

    /// Reads `url` as a migration, or nil when it is not a `.sql` file at all.
    /// - Throws: `ChatStoreError.badMigrationFile` for a `.sql` file not named `NNN_name.sql`.
    init?(url: URL) throws {
        let fileName = url.lastPathComponent
        guard fileName.hasSuffix(".sql") else { return nil }
        let stem = fileName.dropLast(4)
        let digits = stem.prefix { $0.isASCII && $0.isNumber }
        let rest = stem.dropFirst(digits.count)
        guard !digits.isEmpty, let version = Int(digits), rest.first == "_", rest.count > 1,
              rest.dropFirst().allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") })
        else {
            throw ChatStoreError.badMigrationFile(
                "\(url.path) is not named like a migration (NNN_name.sql, e.g. 005_add_index.sql)")
        }
        self.version = version
        self.name = String(rest.dropFirst())
        self.url = url
    }

    /// The SQL text of the file.
    func script() throws -> String {
        do {
            return try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw ChatStoreError.badMigrationFile("cannot read \(url.path) as UTF-8 text")
        }
    }
}
