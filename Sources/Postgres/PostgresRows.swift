import CLibPQ

/// The rows a query returned, copied out of libpq's result, so they are a plain `Sendable`
/// value that can leave the connection's thread.
///
/// ```swift
/// for row in try conn.query("SELECT id, name FROM chat.users") {
///     let id = try row.decode("id", as: String.self)
/// }
/// ```
public struct PostgresRows: Sendable, RandomAccessCollection {
    /// Column names, in order.
    public var columns: [String] { storage.columns }
    /// Rows affected, from the command tag (`INSERT 0 5` is 5); 0 when the tag has no count.
    public let affectedRows: Int
    /// The command tag, e.g. `SELECT 3`, `INSERT 0 1`, `UPDATE 2`.
    public let commandTag: String

    private let storage: Storage

    public var startIndex: Int { 0 }
    public var endIndex: Int { storage.rowCount }

    public subscript(position: Int) -> PostgresRow {
        precondition(indices.contains(position), "row \(position) out of range 0..<\(count)")
        return PostgresRow(storage: storage, row: position)
    }

    /// Copies everything out of `result` (which the caller still owns and clears).
    init(copying result: OpaquePointer) {
        let rowCount = Int(PQntuples(result))
        let columnCount = Int(PQnfields(result))
        var columns: [String] = []
        var types: [UInt32] = []
        for column in 0..<columnCount {
            columns.append(String(cString: PQfname(result, Int32(column))))
            types.append(PQftype(result, Int32(column)))
        }
        var cells: [String?] = []
        cells.reserveCapacity(rowCount * columnCount)
        for row in 0..<rowCount {
            for column in 0..<columnCount {
                if PQgetisnull(result, Int32(row), Int32(column)) == 1 {
                    cells.append(nil)
                } else {
                    cells.append(String(cString: PQgetvalue(result, Int32(row), Int32(column))))
                }
            }
        }
        storage = Storage(columns: columns, types: types, cells: cells, rowCount: rowCount)
        commandTag = String(cString: PQcmdStatus(result))
        affectedRows = Int(String(cString: PQcmdTuples(result))) ?? 0
    }

    /// Immutable after creation; shared by the rows that point into it.
    final class Storage: Sendable {
        let columns: [String]
        let types: [UInt32]
        let cells: [String?]
        let rowCount: Int
        let indexByName: [String: Int]

        init(columns: [String], types: [UInt32], cells: [String?], rowCount: Int) {
            self.columns = columns
            self.types = types
            self.cells = cells
            self.rowCount = rowCount
            var indexByName: [String: Int] = [:]
            for (index, name) in columns.enumerated() where indexByName[name] == nil {
                indexByName[name] = index
            }
            self.indexByName = indexByName
        }
    }
}
