import CLibPQ

extension PostgresConnection {
    /// Runs `COPY ... FROM STDIN` (text format) and streams the rows `write` produces: the
    /// fastest way to load many rows (no statement per row, no parameters to parse). `write`
    /// gets a `send` function taking lines of COPY text (`\t` between columns, `\n` after each
    /// row, `\\N` for NULL, backslash escapes for tab, newline and backslash in values); they are
    /// buffered and sent in chunks of about `chunkBytes`. Returns the number of rows copied.
    ///
    /// - Throws: `.server` when the server refuses the statement or a row (nothing is copied:
    ///   the COPY is one statement); `.connection` when the connection breaks.
    public func copyIn(unsafeSQL statement: String, chunkBytes: Int = 1 << 20,
                       _ write: (_ send: (String) throws -> Void) throws -> Void) throws -> Int {
        let handle = try openHandle()
        guard !statement.utf8.contains(0) else { throw PostgresError(.invalidParameter, "the COPY statement contains a NUL byte") }
        guard let start = PQexec(handle, statement) else { throw PostgresError(.connection, "COPY could not start: out of memory") }
        guard PQresultStatus(start) == PGRES_COPY_IN else {
            _ = try rows(from: start)  // throws the server's error (or closes on anything else)
            throw PostgresError(.invalidParameter, "the statement is not COPY ... FROM STDIN")
        }
        PQclear(start)
        var buffer: [UInt8] = []
        buffer.reserveCapacity(chunkBytes + 4096)
        func flush() throws {
            guard !buffer.isEmpty else { return }
            let sent = buffer.withUnsafeBufferPointer { bytes in
                bytes.withMemoryRebound(to: CChar.self) { PQputCopyData(handle, $0.baseAddress, Int32($0.count)) }
            }
            guard sent == 1 else { throw PostgresError(.connection, "COPY data could not be sent") }
            buffer.removeAll(keepingCapacity: true)
        }
        var failure: (any Error)?
        do {
            try write { line in
                buffer.append(contentsOf: line.utf8)
                if buffer.count >= chunkBytes { try flush() }
            }
            try flush()
        } catch {
            failure = error
        }
        // Ending the COPY with an error message makes the server abandon it (nothing copied).
        let ended = failure == nil ? PQputCopyEnd(handle, nil) : PQputCopyEnd(handle, "the client stopped the COPY")
        guard ended == 1 else { throw PostgresError(.connection, "COPY could not be ended") }
        var copied = 0
        var serverError: (any Error)?
        while let result = PQgetResult(handle) {
            if PQresultStatus(result) == PGRES_COMMAND_OK {
                copied = Int(String(cString: PQcmdTuples(result))) ?? 0
                PQclear(result)
            } else {
                do { _ = try rows(from: result) } catch { serverError = serverError ?? error }
            }
        }
        if let failure { throw failure }
        if let serverError { throw serverError }
        return copied
    }

    /// `value` escaped for a COPY text-format column.
    public static func copyText(_ value: String) -> String {
        guard value.contains(where: { $0 == "\\" || $0 == "\t" || $0 == "\n" || $0 == "\r" }) else { return value }
        var out = ""
        for character in value {
            switch character {
            case "\\": out += "\\\\"
            case "\t": out += "\\t"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            default: out.append(character)
            }
        }
        return out
    }
}
