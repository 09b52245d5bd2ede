import CSQLite

extension SQLiteConnection {
    /// Runs `body` inside `BEGIN IMMEDIATE` … `COMMIT` and returns its result.
    ///
    /// If `body` or `COMMIT` throws, the transaction is rolled back and that first error is rethrown. A failing
    /// `ROLLBACK` is not reported, because it would hide the cause. `IMMEDIATE` takes the write lock at the start,
    /// so a busy database fails at `BEGIN` rather than halfway through `body`. Transactions do not nest, so
    /// calling this inside `body` throws SQLite's "cannot start a transaction within a transaction".
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try run("BEGIN IMMEDIATE")

        let result: T
        do {
            result = try body()
            try run("COMMIT")
        } catch {
            rollbackIfActive()
            throw error
        }
        return result
    }

    private func rollbackIfActive() {
        // SQLite may roll the transaction back by itself after SQLITE_FULL, SQLITE_IOERR, SQLITE_BUSY or
        // SQLITE_NOMEM, and a ROLLBACK without a transaction would fail.
        guard sqlite3_get_autocommit(database) == 0 else { return }
        try? run("ROLLBACK")
    }
}
