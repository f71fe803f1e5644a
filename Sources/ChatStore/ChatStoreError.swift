/// What ChatStore refuses, in words a caller can show: `chatctl` prints `description` as its one
/// error line, and the API maps the cases to its error shape. Never carries a token or a password.
public enum ChatStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No `sql/` directory with migrations was found (the places searched are listed).
    case sqlDirectoryNotFound(searched: [String])
    /// A file in `sql/` whose name is not `NNN_name.sql`, or two files with one version.
    case badMigrationFile(String)
    /// A migration failed; nothing of it was applied.
    case migrationFailed(file: String, reason: String)
    /// No user with that id.
    case unknownUser(String)
    /// The user exists but is deactivated.
    case inactiveUser(String)
    /// A session lifetime outside `Sessions.ttlRange`.
    case invalidTTL(Int)

    public var description: String {
        switch self {
        case .sqlDirectoryNotFound(let searched):
            return "no sql/ directory with migrations found (set CHAT_SQL_DIR); looked in: "
                + searched.joined(separator: ", ")
        case .badMigrationFile(let problem):
            return problem
        case .migrationFailed(let file, let reason):
            return "migration \(file) failed and was rolled back: \(reason)"
        case .unknownUser(let id):
            return "unknown user \(id)"
        case .inactiveUser(let id):
            return "user \(id) is inactive"
        case .invalidTTL(let seconds):
            return "session lifetime \(seconds) s is outside \(Sessions.ttlRange.lowerBound)...\(Sessions.ttlRange.upperBound) s"
        }
    }
}
