import CSQLite

extension SQLiteConnection {
    /// Runs `body` while SQLite rejects `BEGIN`, `COMMIT`, `END` and `ROLLBACK` statements with `SQLITE_AUTH`
    /// ("not authorized") when it prepares them.
    ///
    /// `SAVEPOINT`, `RELEASE` and `ROLLBACK TO` stay allowed. The check applies to statements prepared inside
    /// `body`, so a script run with `execute` stops at the first transaction statement, before running it.
    /// Setting an authorizer makes SQLite re-prepare the cached statements on their next use.
    func rejectingTransactionControl<T, Failure: Error>(_ body: () throws(Failure) -> T) throws(Failure) -> T {
        sqlite3_set_authorizer(database, { _, action, _, _, _, _ in
            action == SQLITE_TRANSACTION ? SQLITE_DENY : SQLITE_OK
        }, nil)
        defer { sqlite3_set_authorizer(database, nil, nil) }

        return try body()
    }
}
