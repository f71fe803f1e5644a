import ChatStore
import Postgres

extension ChatctlCommand {
    /// Runs the command against the database in `DATABASE_URL`; what it prints goes to stdout.
    /// - Throws: whatever stops it; `main` prints it as one line.
    func run() throws {
        if case .help(let topic) = self {
            print(Usage.text(topic))
            return
        }
        let config = try PostgresConfig.fromEnvironment(applicationName: "chatctl")
        let connection = try PostgresConnection.connect(config)
        defer { connection.close() }
        switch self {
        case .help:
            break
        case .migrate:
            let migrator = Migrator(sqlDirectory: try SQLDirectory.locate())
            let applied = try migrator.migrate(on: connection)
            if applied.isEmpty {
                print("the database is up to date")
            }
            for migration in applied {
                print("applied \(migration.fileName)")
            }
        case .seedDemo:
            print(try DemoSeed().load(on: connection))
        case .token(let userID, let ttlSeconds):
            print(try Sessions.mint(userID: userID, ttl: ttlSeconds, on: connection).token)
        case .prune(let hours):
            let pruner = Pruner(retention: .seconds(hours * 3600))
            let deleted = try pruner.prune(on: connection)
            print("deleted \(deleted) events committed more than \(hours) h ago")
            let uploads = try pruner.pruneUploads(on: connection)
            print("deleted \(uploads) uploads not attached within 24 h")
        case .seedSearch(let messages, let conversations):
            print(try SearchBenchSeed(messages: messages, conversations: conversations).load(on: connection))
        case .seedScale(let messages, let users, let conversations):
            print(try ScaleSeed(messages: messages, users: users, conversations: conversations).load(on: connection))
        }
    }
}
