/// The `schema_migrations` table, with one row per applied migration.
///
/// The migrator creates this table itself, so that no migration file has to.
enum MigrationHistory {
    /// One row of `schema_migrations`.
    struct Record: Equatable {
        let version: Int
        let fileName: String
        let sha256: String
    }

    static func createTableIfMissing(in connection: SQLiteConnection) throws(StorageError) {
        try connection.execute("""
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version    INTEGER PRIMARY KEY,
                file_name  TEXT NOT NULL,
                sha256     TEXT NOT NULL,
                applied_at TEXT NOT NULL
            )
            """)
    }

    /// Returns all rows, lowest version first.
    static func records(in connection: SQLiteConnection) throws(StorageError) -> [Record] {
        let rows = try connection.query("SELECT version, file_name, sha256 FROM schema_migrations ORDER BY version")
        var records: [Record] = []
        for row in rows {
            records.append(Record(version: Int(try row.integer(0)), fileName: try row.text(1), sha256: try row.text(2)))
        }
        return records
    }

    /// Returns the SHA-256 recorded for `version`, or nil when that version has not been applied.
    static func recordedSHA256(
        ofVersion version: Int,
        in connection: SQLiteConnection
    ) throws(StorageError) -> String? {
        let row = try connection.queryOne(
            "SELECT sha256 FROM schema_migrations WHERE version = ?",
            [.integer(Int64(version))]
        )
        return try row?.text(0)
    }

    /// Inserts the row for `migration`, stamped with the current time in RFC 3339 UTC.
    static func record(_ migration: Migration, in connection: SQLiteConnection) throws(StorageError) {
        try connection.run(
            """
            INSERT INTO schema_migrations (version, file_name, sha256, applied_at)
            VALUES (?, ?, ?, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
            """,
            [.integer(Int64(migration.version)), .text(migration.fileName), .text(migration.sha256)]
        )
    }
}
