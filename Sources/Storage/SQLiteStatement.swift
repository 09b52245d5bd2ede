import CSQLite

/// A prepared statement that is finalized when the last reference to it goes away.
///
/// Only `SQLiteConnection` creates these, and it releases every one of them before it closes the database.
/// Bound values are copied into SQLite (`SQLITE_TRANSIENT`) and stay there until `reset()`.
final class SQLiteStatement {
    let handle: OpaquePointer
    let sql: String
    private let database: OpaquePointer

    /// Takes ownership of a handle from `sqlite3_prepare_v2`.
    init(handle: OpaquePointer, database: OpaquePointer, sql: String) {
        self.handle = handle
        self.database = database
        self.sql = sql
    }

    deinit {
        sqlite3_finalize(handle)
    }

    /// Prepares `sql`, which must contain exactly one statement. Trailing whitespace and comments are allowed.
    static func prepareSingle(_ sql: String, in database: OpaquePointer) throws(StorageError) -> SQLiteStatement {
        let outcome: Result<SQLiteStatement, StorageError> = sql.withCString { text in
            var handle: OpaquePointer?
            var tail: UnsafePointer<CChar>?
            let code = sqlite3_prepare_v2(database, text, -1, &handle, &tail)
            guard code == SQLITE_OK else { return .failure(.lastError(of: database, code: code, sql: sql)) }
            guard let handle else { return .failure(.notSingleStatement(sql: sql)) }
            let statement = SQLiteStatement(handle: handle, database: database, sql: sql)

            // Preparing the tail yields no handle when only whitespace and comments are left.
            var extra: OpaquePointer?
            let tailCode = sqlite3_prepare_v2(database, tail, -1, &extra, nil)
            sqlite3_finalize(extra)
            guard tailCode == SQLITE_OK, extra == nil else { return .failure(.notSingleStatement(sql: sql)) }
            return .success(statement)
        }
        return try outcome.get()
    }

    // MARK: - Binding

    /// Binds `arguments` to the parameters in order. The caller must call `reset()` afterwards, even on error.
    func bind(_ arguments: [SQLiteValue]) throws(StorageError) {
        let parameterCount = Int(sqlite3_bind_parameter_count(handle))
        guard parameterCount == arguments.count else {
            throw .parameterCountMismatch(sql: sql, parameterCount: parameterCount, argumentCount: arguments.count)
        }

        for (offset, argument) in arguments.enumerated() {
            let code = bind(argument, at: Int32(offset + 1))
            guard code == SQLITE_OK else { throw .lastError(of: database, code: code, sql: sql) }
        }
    }

    private func bind(_ value: SQLiteValue, at index: Int32) -> Int32 {
        switch value {
        case .null:
            return sqlite3_bind_null(handle, index)
        case let .integer(integer):
            return sqlite3_bind_int64(handle, index, integer)
        case let .real(real):
            return sqlite3_bind_double(handle, index, real)
        case let .text(text):
            // A null pointer would bind NULL, so the empty string gets a literal of its own.
            if text.isEmpty { return sqlite3_bind_text(handle, index, "", 0, csqlite_transient()) }
            let bytes = Array(text.utf8)
            return bytes.withUnsafeBufferPointer { buffer in
                buffer.withMemoryRebound(to: CChar.self) { characters in
                    sqlite3_bind_text64(
                        handle, index, characters.baseAddress, UInt64(characters.count), csqlite_transient(),
                        UInt8(SQLITE_UTF8)
                    )
                }
            }
        case let .blob(bytes):
            // A null pointer would bind NULL, so the empty blob is bound as a zero-length blob.
            if bytes.isEmpty { return sqlite3_bind_zeroblob(handle, index, 0) }
            return bytes.withUnsafeBytes { buffer in
                sqlite3_bind_blob64(handle, index, buffer.baseAddress, UInt64(buffer.count), csqlite_transient())
            }
        }
    }

    /// Resets the statement for its next use and clears the bound values, so the statement keeps no argument.
    func reset() {
        // sqlite3_reset repeats the error of the last step, which the caller has already thrown.
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    // MARK: - Stepping

    /// Advances to the next row. Returns false when the statement has finished.
    func step() throws(StorageError) -> Bool {
        switch sqlite3_step(handle) {
        case SQLITE_ROW:
            return true
        case SQLITE_DONE:
            return false
        case let code:
            throw .lastError(of: database, code: code, sql: sql)
        }
    }

    /// Steps until the statement has finished, discarding any rows.
    func stepToCompletion() throws(StorageError) {
        while try step() {}
    }

    // MARK: - Reading

    var columnNames: [String] {
        (0..<sqlite3_column_count(handle)).map { column in
            sqlite3_column_name(handle, column).map { String(cString: $0) } ?? ""
        }
    }

    /// Reads the current row, which exists only after `step()` returned true.
    func row(columnNames: [String]) -> SQLiteRow {
        let values = (0..<Int32(columnNames.count)).map(value(at:))
        return SQLiteRow(values: values, columnNames: columnNames)
    }

    private func value(at column: Int32) -> SQLiteValue {
        switch sqlite3_column_type(handle, column) {
        case SQLITE_INTEGER:
            return .integer(sqlite3_column_int64(handle, column))
        case SQLITE_FLOAT:
            return .real(sqlite3_column_double(handle, column))
        case SQLITE_TEXT:
            // sqlite3_column_bytes must come after sqlite3_column_text, which may convert the value first.
            guard let text = sqlite3_column_text(handle, column) else { return .text("") }
            let count = Int(sqlite3_column_bytes(handle, column))
            return .text(String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self))
        case SQLITE_BLOB:
            // sqlite3_column_blob returns a null pointer for a zero-length blob.
            guard let blob = sqlite3_column_blob(handle, column) else { return .blob([]) }
            let count = Int(sqlite3_column_bytes(handle, column))
            return .blob(Array(UnsafeRawBufferPointer(start: blob, count: count)))
        default:
            return .null
        }
    }
}

extension StorageError {
    /// Makes a `.sqlite` error from `code` and the connection's current `sqlite3_errmsg`.
    static func lastError(of database: OpaquePointer, code: Int32, sql: String) -> StorageError {
        .sqlite(code: code, message: String(cString: sqlite3_errmsg(database)), sql: sql)
    }
}
