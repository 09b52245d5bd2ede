import CSQLite

/// A connection to one SQLite database file, in WAL mode with full sync and foreign keys enforced.
///
/// The connection is opened with `SQLITE_OPEN_NOMUTEX`, so only one thread at a time may use it, for example
/// through a serial queue. For that reason the type is not `Sendable`.
/// Statements given to `run`, `query` and `queryOne` are prepared once per SQL text and kept until the
/// connection is released.
///
/// NOTE: the statement cache has no size limit. It suits code that passes fixed SQL texts. SQL built with values
/// spliced in would grow it without bound, and should use `?` parameters anyway.
public final class SQLiteConnection {
    /// How long a statement waits for another connection's lock before it fails with `SQLITE_BUSY`.
    public static let busyTimeoutMilliseconds: Int32 = 5000

    public let path: String
    let database: OpaquePointer
    private var statements: [String: SQLiteStatement] = [:]

    /// Opens or creates the database at `path` and sets busy timeout, WAL journal mode, `synchronous=FULL` and
    /// `foreign_keys=ON`.
    ///
    /// Throws `walUnavailable` when SQLite keeps another journal mode, as it does for `:memory:` databases.
    public init(path: String) throws(StorageError) {
        var handle: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
        let code = sqlite3_open_v2(path, &handle, flags, nil)
        guard code == SQLITE_OK, let handle else {
            // SQLite returns a handle even when opening fails, unless it could not allocate one.
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(code))
            sqlite3_close_v2(handle)
            throw .openFailed(path: path, code: code, message: message)
        }
        self.path = path
        self.database = handle

        // From here on, a throw runs deinit, which closes the handle.
        try configure()
    }

    deinit {
        // Finalize every statement first: sqlite3_close_v2 would otherwise keep the database open as a zombie.
        statements.removeAll()
        sqlite3_close_v2(database)
    }

    private func configure() throws(StorageError) {
        let code = sqlite3_busy_timeout(database, Self.busyTimeoutMilliseconds)
        guard code == SQLITE_OK else { throw .lastError(of: database, code: code, sql: "sqlite3_busy_timeout") }

        // The pragma returns the journal mode now in effect, which differs from the request when WAL is unavailable.
        let journalMode = try queryOne("PRAGMA journal_mode=WAL")?.text(0) ?? "unknown"
        guard journalMode.lowercased() == "wal" else { throw .walUnavailable(path: path, journalMode: journalMode) }

        try execute("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON")
    }

    // MARK: - Statements

    /// Runs a script of one or more statements without parameters, in order, discarding any rows.
    ///
    /// The statements are not cached. On failure the error names the failing statement, and the statements
    /// before it stay applied unless the caller runs the script in a transaction.
    public func execute(_ sql: String) throws(StorageError) {
        let outcome = sql.withCString { script in
            Result { () throws(StorageError) in try executeStatements(startingAt: script) }
        }
        try outcome.get()
    }

    private func executeStatements(startingAt script: UnsafePointer<CChar>) throws(StorageError) {
        var next = script
        while next.pointee != 0 {
            var handle: OpaquePointer?
            var tail: UnsafePointer<CChar>?
            let code = sqlite3_prepare_v2(database, next, -1, &handle, &tail)
            guard code == SQLITE_OK else {
                throw .lastError(of: database, code: code, sql: Self.firstStatementText(next))
            }

            // No handle means that only whitespace and comments were left.
            guard let handle else { return }
            let text = String(cString: sqlite3_sql(handle)).trimmingWhitespace()
            let statement = SQLiteStatement(handle: handle, database: database, sql: text)
            try statement.stepToCompletion()

            guard let tail else { return }
            next = tail
        }
    }

    /// Runs one statement with `arguments` bound to its `?` parameters, discarding any rows.
    public func run(_ sql: String, _ arguments: [SQLiteValue] = []) throws(StorageError) {
        let statement = try cachedStatement(for: sql)
        defer { statement.reset() }

        try statement.bind(arguments)
        try statement.stepToCompletion()
    }

    /// Runs one statement with `arguments` bound to its `?` parameters and returns all result rows.
    public func query(_ sql: String, _ arguments: [SQLiteValue] = []) throws(StorageError) -> [SQLiteRow] {
        let statement = try cachedStatement(for: sql)
        defer { statement.reset() }

        try statement.bind(arguments)
        let columnNames = statement.columnNames
        var rows: [SQLiteRow] = []
        while try statement.step() {
            rows.append(statement.row(columnNames: columnNames))
        }
        return rows
    }

    /// Runs one statement and returns its first result row, or nil when there is none. Later rows are not read.
    public func queryOne(_ sql: String, _ arguments: [SQLiteValue] = []) throws(StorageError) -> SQLiteRow? {
        let statement = try cachedStatement(for: sql)
        defer { statement.reset() }

        try statement.bind(arguments)
        guard try statement.step() else { return nil }
        return statement.row(columnNames: statement.columnNames)
    }

    /// The rowid of the last successful `INSERT` on this connection, or 0 if there was none.
    public var lastInsertRowID: Int64 {
        sqlite3_last_insert_rowid(database)
    }

    /// The number of rows changed by the last `INSERT`, `UPDATE` or `DELETE` on this connection.
    public var changes: Int {
        Int(sqlite3_changes64(database))
    }

    /// The number of prepared statements kept for reuse.
    var cachedStatementCount: Int {
        statements.count
    }

    func cachedStatement(for sql: String) throws(StorageError) -> SQLiteStatement {
        if let statement = statements[sql] { return statement }

        let statement = try SQLiteStatement.prepareSingle(sql, in: database)
        statements[sql] = statement
        return statement
    }

    /// Returns the text from `start` up to and including the next semicolon, for naming a statement that failed
    /// to prepare. A semicolon inside a string literal ends it early, which only shortens the error message.
    private static func firstStatementText(_ start: UnsafePointer<CChar>) -> String {
        let remainder = String(cString: start)
        guard let semicolon = remainder.firstIndex(of: ";") else { return remainder.trimmingWhitespace() }
        return String(remainder[...semicolon]).trimmingWhitespace()
    }
}

extension String {
    /// Returns the string without leading and trailing whitespace (Storage does not import Foundation for this).
    fileprivate func trimmingWhitespace() -> String {
        guard let first = firstIndex(where: { !$0.isWhitespace }), let last = lastIndex(where: { !$0.isWhitespace })
        else { return "" }
        return String(self[first...last])
    }
}
