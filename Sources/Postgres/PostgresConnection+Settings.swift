extension PostgresConnection {
    /// Runs `body` with the session setting `name` set to `value`, then puts the previous value
    /// back (also when `body` throws). Two more round trips: for the occasional statement that
    /// needs other settings than its pool's, e.g. a search that must be planned for its own
    /// pattern on a pool whose sessions use generic plans.
    public func withSetting<T>(_ name: String, _ value: String, _ body: (PostgresConnection) throws -> T) throws -> T {
        let previous: String = try query("SELECT current_setting(\(name)) AS previous, set_config(\(name), \(value), false)")
            .first.map { try $0.decode("previous") } ?? ""
        let result: T
        do {
            result = try body(self)
        } catch {
            _ = try? query("SELECT set_config(\(name), \(previous), false)")
            throw error
        }
        _ = try query("SELECT set_config(\(name), \(previous), false)")
        return result
    }
}
