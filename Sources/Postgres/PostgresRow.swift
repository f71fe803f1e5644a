/// One row of `PostgresRows`. Columns are found by their exact name as the query returned it
/// (use `AS` to name expressions); with duplicate names the first one wins.
public struct PostgresRow: Sendable {
    let storage: PostgresRows.Storage
    let row: Int

    /// Column names, in order.
    public var columns: [String] { storage.columns }

    /// The column's raw text, or nil when it is NULL or there is no such column.
    public subscript(column: String) -> String? {
        guard let index = storage.indexByName[column] else { return nil }
        return storage.cells[row * storage.columns.count + index]
    }

    /// Decodes a column as `type`.
    ///
    /// ```swift
    /// let title = try row.decode("custom_title", as: String?.self)   // NULL -> nil
    /// let seq = try row.decode("seq", as: Int64.self)
    /// ```
    /// - Throws: `PostgresError` of kind `.decoding` naming the column and `type` when the
    ///   column is missing, is NULL and `type` is not optional, or its text is not a `type`.
    public func decode<T: PostgresDecodable>(_ column: String, as type: T.Type = T.self) throws -> T {
        guard let index = storage.indexByName[column] else {
            throw PostgresError(
                .decoding, "no column \"\(column)\" in the result (columns: \(columns.joined(separator: ", ")))",
                column: column)
        }
        guard let text = storage.cells[row * storage.columns.count + index] else {
            guard let null = T.postgresNullValue else {
                throw PostgresError(
                    .decoding, "column \"\(column)\" is NULL; decode it as \(T.self)? to accept NULL",
                    column: column)
            }
            return null
        }
        do {
            return try T(postgresText: text)
        } catch let error as DecodingProblem {
            throw failure(column, index, T.self, error.reason)
        } catch let error as PostgresError {
            throw failure(column, index, T.self, error.message)
        } catch {
            throw failure(column, index, T.self, String(describing: error))
        }
    }

    private func failure(_ column: String, _ index: Int, _ type: Any.Type, _ reason: String) -> PostgresError {
        PostgresError(
            .decoding,
            "cannot decode column \"\(column)\" (type oid \(storage.types[index])) as \(type): \(reason)",
            column: column)
    }
}
