import Models
import Postgres

extension PostgresConnection {
    /// Names `viewer` as who makes this transaction's changes (the transaction-local setting
    /// `chat.actor_id`), which the schema's triggers record: the editor of a revision, who
    /// deleted a message, the actor of a system message. Only inside a transaction.
    func setActor(_ viewer: Viewer) throws {
        try execute("SELECT set_config('chat.actor_id', \(viewer.id), true)")
    }
}
