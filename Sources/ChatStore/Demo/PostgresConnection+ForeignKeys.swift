import Postgres

extension PostgresConnection {
    /// Runs `body` (a bulk load) with the foreign keys of `tables` dropped, then adds them back
    /// from their own definitions (`pg_get_constraintdef`), each checking every row in one join:
    /// much cheaper than the per-row lookups a load of millions of rows would otherwise make (the
    /// largest single cost of loading messages: 20 s of 58 per million, on two cores).
    ///
    /// Only inside a transaction (the caller's): if anything throws, the rollback brings the keys
    /// back untouched; a row that breaks a key fails the whole load when the key is added back.
    /// The tables are locked until commit.
    @discardableResult
    func withForeignKeysDropped<T>(of tables: [String], _ body: () throws -> T) throws -> T {
        let keys = try query("""
            SELECT conrelid::regclass::text AS relation, quote_ident(conname) AS name, pg_get_constraintdef(oid) AS definition
              FROM pg_constraint WHERE conrelid = ANY(\(tables)::regclass[]) AND contype = 'f' ORDER BY conrelid, conname
            """).map { row in
            (relation: try row.decode("relation", as: String.self), name: try row.decode("name", as: String.self),
             definition: try row.decode("definition", as: String.self))
        }
        for key in keys {
            try execute(SQLQuery(unsafeSQL: "ALTER TABLE \(key.relation) DROP CONSTRAINT \(key.name)"))
        }
        let result = try body()
        for key in keys {
            try execute(SQLQuery(unsafeSQL: "ALTER TABLE \(key.relation) ADD CONSTRAINT \(key.name) \(key.definition)"))
        }
        return result
    }
}
