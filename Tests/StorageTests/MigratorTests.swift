import Testing
@testable import Storage

@Suite final class MigratorTests {
    private let database: TemporaryDatabase
    private var connection: SQLiteConnection { database.connection }

    init() throws {
        database = try TemporaryDatabase()
    }

    private let first = Migration(version: 1, fileName: "0001_first.sql", sql: "CREATE TABLE first (x INTEGER);\n")
    private let second = Migration(version: 2, fileName: "0002_second.sql", sql: "CREATE TABLE second (x INTEGER);\n")

    private func tableNames() throws -> Set<String> {
        Set(try connection.query("SELECT name FROM sqlite_schema WHERE type = 'table'").map { try $0.text(0) })
    }

    private func recordedVersions() throws -> [Int64] {
        try connection.query("SELECT version FROM schema_migrations ORDER BY version").map { try $0.integer(0) }
    }

    // MARK: - Embedded migrations

    @Test func newDatabaseGetsInitialSchema() throws {
        let applied = try Migrator.migrate(connection)

        #expect(applied == EmbeddedMigrations.all)
        #expect(applied.first?.fileName == "0001_initial_schema.sql")
        let tables = try tableNames()
        for table in ["schema_migrations", "environments", "policy_sections", "bundles", "signing_keys",
                      "api_tokens", "audit_log"] {
            #expect(tables.contains(table), "table \(table) is missing")
        }
    }

    @Test func migrationRowRecordsFileChecksumAndTime() throws {
        let initial = try #require(EmbeddedMigrations.all.first)
        try Migrator.migrate(connection)

        let columns = "version, file_name, sha256, applied_at"
        let row = try #require(try connection.queryOne("SELECT \(columns) FROM schema_migrations WHERE version = 1"))
        #expect(try row.integer(0) == 1)
        #expect(try row.text(1) == initial.fileName)
        #expect(try row.text(2) == initial.sha256)
        #expect(try row.text(3).wholeMatch(of: /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z/) != nil)
    }

    @Test func secondMigrateAppliesNothing() throws {
        try Migrator.migrate(connection)
        let rowsBefore = try connection.query("SELECT * FROM schema_migrations ORDER BY version")

        let applied = try Migrator.migrate(connection)

        #expect(applied.isEmpty)
        #expect(try connection.query("SELECT * FROM schema_migrations ORDER BY version") == rowsBefore)
    }

    @Test func changedInitialSchemaIsChecksumMismatch() throws {
        try Migrator.migrate(connection)
        let initial = try #require(EmbeddedMigrations.all.first)
        let changed = Migration(version: 1, fileName: initial.fileName, sql: initial.sql + "-- edited\n")

        let migrations = [changed] + EmbeddedMigrations.all.dropFirst()
        let error = #expect(throws: MigrationError.self) { try Migrator.migrate(connection, migrations: migrations) }

        let expected = MigrationError.checksumMismatch(
            fileName: "0001_initial_schema.sql", recorded: initial.sha256, embedded: changed.sha256
        )
        #expect(error == expected)
        let description = error?.description ?? ""
        #expect(description.contains("migration 0001_initial_schema.sql was changed after it was applied"))
    }

    // MARK: - Checks before applying

    @Test func checksumMismatchAppliesNothing() throws {
        try Migrator.migrate(connection, migrations: [first])
        let changed = Migration(version: 1, fileName: first.fileName, sql: "CREATE TABLE first (x TEXT);\n")

        let expected = MigrationError.checksumMismatch(
            fileName: first.fileName, recorded: first.sha256, embedded: changed.sha256
        )
        #expect(throws: expected) {
            try Migrator.migrate(connection, migrations: [changed, second])
        }
        #expect(try !tableNames().contains("second"))
    }

    @Test func recordedVersion99IsDatabaseNewerThanBinary() throws {
        try Migrator.migrate(connection, migrations: [first])
        try connection.run(
            "INSERT INTO schema_migrations VALUES (?, ?, ?, ?)",
            [99, "0099_future.sql", "00", "2030-01-01T00:00:00Z"]
        )

        let error = #expect(throws: MigrationError.self) {
            try Migrator.migrate(connection, migrations: [first, second])
        }

        #expect(
            error == .databaseNewerThanBinary(appliedVersion: 99, appliedFileName: "0099_future.sql", newestKnown: 2)
        )
        #expect(error?.description.contains("0099_future.sql") == true)
        #expect(error?.description.contains("this binary is older than the database") == true)
        #expect(try !tableNames().contains("second"))
    }

    @Test func gapInHistoryIsInconsistent() throws {
        try Migrator.migrate(connection, migrations: [first, second])
        try connection.run("DELETE FROM schema_migrations WHERE version = ?", [1])

        let error = #expect(throws: MigrationError.self) {
            try Migrator.migrate(connection, migrations: [first, second])
        }
        #expect(error == .inconsistentHistory("0001_first.sql is not recorded, but the later 0002_second.sql is"))
    }

    // MARK: - Applying

    @Test func onlyNewMigrationsAreApplied() throws {
        #expect(try Migrator.migrate(connection, migrations: [first]) == [first])
        #expect(try Migrator.migrate(connection, migrations: [first, second]) == [second])
        #expect(try recordedVersions() == [1, 2])
    }

    @Test func failingMigrationLeavesNoTrace() throws {
        let failing = Migration(
            version: 2,
            fileName: "0002_second.sql",
            sql: "CREATE TABLE second (x INTEGER);\nINSERT INTO missing VALUES (1);\n"
        )

        let error = #expect(throws: MigrationError.self) {
            try Migrator.migrate(connection, migrations: [first, failing])
        }

        guard case let .failed(fileName, message)? = error else {
            Issue.record("expected failed, got \(String(describing: error))")
            return
        }
        #expect(fileName == "0002_second.sql")
        #expect(message.contains("no such table: missing"))
        #expect(try !tableNames().contains("second"))
        #expect(try tableNames().contains("first"))
        #expect(try recordedVersions() == [1])

        // The corrected file applies cleanly, so nothing of the failed attempt is left over.
        #expect(try Migrator.migrate(connection, migrations: [first, second]) == [second])
    }

    @Test func migrationWithCommitFailsBeforeCommitting() throws {
        let withCommit = Migration(version: 1, fileName: "0001_first.sql", sql: "CREATE TABLE first (x);\nCOMMIT;\n")

        let error = #expect(throws: MigrationError.self) { try Migrator.migrate(connection, migrations: [withCommit]) }

        guard case let .failed(fileName, message)? = error else {
            Issue.record("expected failed, got \(String(describing: error))")
            return
        }
        #expect(fileName == "0001_first.sql")
        #expect(message.contains("must not contain BEGIN, COMMIT, END or ROLLBACK"))
        #expect(message.contains("Statement: COMMIT;"))
        #expect(try !tableNames().contains("first"))
        #expect(try recordedVersions().isEmpty)
    }

    @Test func migrationMayUseSavepoints() throws {
        let withSavepoint = Migration(
            version: 1,
            fileName: "0001_first.sql",
            sql: "SAVEPOINT copy;\nCREATE TABLE first (x);\nRELEASE copy;\n"
        )

        #expect(try Migrator.migrate(connection, migrations: [withSavepoint]) == [withSavepoint])
        #expect(try tableNames().contains("first"))
    }

    @Test func transactionStatementsWorkAgainAfterMigrating() throws {
        try Migrator.migrate(connection, migrations: [first])

        try connection.execute("BEGIN; CREATE TABLE later (x); COMMIT")

        #expect(try tableNames().contains("later"))
    }

    // MARK: - Migration sets

    @Test(arguments: [
        ([(1, "0001_a.sql"), (3, "0003_c.sql")], "0003_c.sql is at position 2"),
        ([(2, "0002_b.sql"), (1, "0001_a.sql")], "0002_b.sql is at position 1"),
        ([(1, "0001_a.sql"), (1, "0001_b.sql")], "0001_a.sql and 0001_b.sql have the same version"),
        ([(1, "1_a.sql")], "file name 1_a.sql is not of the form NNNN_name.sql"),
        ([(1, "0001_a.txt")], "file name 0001_a.txt is not of the form NNNN_name.sql"),
        ([(1, "0001_Upper.sql")], "file name 0001_Upper.sql is not of the form NNNN_name.sql"),
        ([(2, "0001_a.sql")], "0001_a.sql is given version 2"),
    ])
    func invalidSetIsRejectedBeforeAnyChange(files: [(Int, String)], expectedDetail: String) throws {
        let migrations = files.map { Migration(version: $0.0, fileName: $0.1, sql: "CREATE TABLE t\($0.0) (x);") }
        let error = #expect(throws: MigrationError.self) { try Migrator.migrate(connection, migrations: migrations) }

        guard case let .invalidMigrationSet(detail)? = error else {
            Issue.record("expected invalidMigrationSet, got \(String(describing: error))")
            return
        }
        #expect(detail.hasPrefix(expectedDetail))
        #expect(try tableNames().isEmpty)
    }

    @Test(arguments: [
        ("0001_initial_schema.sql", 1),
        ("0042_add_index_2.sql", 42),
        ("0000_zero.sql", 0),
        ("001_short.sql", nil),
        ("0001_.sql", nil),
        ("0001-name.sql", nil),
        ("0001_name.SQL", nil),
        ("0001_name.sql.bak", nil),
        ("0001_na me.sql", nil),
        ("abcd_name.sql", nil),
    ] as [(String, Int?)])
    func versionIsParsedFromFileName(fileName: String, version: Int?) {
        #expect(Migration.version(fromFileName: fileName) == version)
    }
}
