// chatctl: the chat database's admin command. Every error ends the process with status 1 and one
// line on stderr (never a stack trace, never a password: PostgresError names host and database only).
import ChatStore
import Foundation
import Postgres

do {
    try ChatctlCommand.parse(Array(CommandLine.arguments.dropFirst())).run()
} catch let error as UsageError {
    fail(error.line)
} catch let error as PostgresError {
    fail(error.sqlState.map { "database error \($0): \(error.message)" } ?? error.message)
} catch {
    fail(String(describing: error))
}

/// Prints `message` as one line on stderr and exits with status 1.
func fail(_ message: String) -> Never {
    let line = message.split(whereSeparator: \.isNewline).joined(separator: " ")
    FileHandle.standardError.write(Data("chatctl: \(line)\n".utf8))
    exit(1)
}
