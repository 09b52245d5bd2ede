import CSQLite

/// Brings a database's schema up to date with the migrations that the binary carries.
public enum Migrator {
    /// Applies the migrations that the database has not recorded yet, and returns them in the order applied.
    ///
    /// The steps, in order:
    /// 1. Check that `migrations` are numbered 1, 2, 3 … and that each file name matches its version.
    /// 2. Create `schema_migrations` if it is missing.
    /// 3. Check the recorded rows before applying anything. A version above the newest in `migrations` throws
    ///    `databaseNewerThanBinary`, a gap throws `inconsistentHistory`, and a SHA-256 that differs from the
    ///    carried text throws `checksumMismatch`.
    /// 4. Apply each newer migration in its own transaction together with its `schema_migrations` row. A failure
    ///    rolls back that migration and throws `failed`, while the migrations before it stay applied.
    ///
    /// Migration SQL must not contain `BEGIN`, `COMMIT`, `END` or `ROLLBACK`, which would fail the migration.
    ///
    /// NOTE: migration SQL runs inside a transaction, where SQLite ignores `PRAGMA foreign_keys`. A migration
    /// that rebuilds a referenced table therefore cannot turn foreign keys off.
    @discardableResult
    public static func migrate(
        _ connection: SQLiteConnection,
        migrations: [Migration] = EmbeddedMigrations.all
    ) throws(MigrationError) -> [Migration] {
        try validate(migrations)

        let records: [MigrationHistory.Record]
        do {
            try MigrationHistory.createTableIfMissing(in: connection)
            records = try MigrationHistory.records(in: connection)
        } catch {
            throw .historyUnreadable(message: error.description)
        }

        try verify(records, against: migrations)

        let latestRecorded = records.last?.version ?? 0
        var applied: [Migration] = []
        for migration in migrations where migration.version > latestRecorded {
            if try apply(migration, to: connection) {
                applied.append(migration)
            }
        }
        return applied
    }

    // MARK: - Checks

    static func validate(_ migrations: [Migration]) throws(MigrationError) {
        for (offset, migration) in migrations.enumerated() {
            guard let versionInName = Migration.version(fromFileName: migration.fileName) else {
                throw .invalidMigrationSet(
                    "file name \(migration.fileName) is not of the form NNNN_name.sql "
                        + "(four digits, an underscore, then lower-case letters, digits and underscores)"
                )
            }
            guard versionInName == migration.version else {
                throw .invalidMigrationSet("\(migration.fileName) is given version \(migration.version)")
            }
            if let earlier = migrations[..<offset].first(where: { $0.version == migration.version }) {
                throw .invalidMigrationSet("\(earlier.fileName) and \(migration.fileName) have the same version")
            }
            guard migration.version == offset + 1 else {
                throw .invalidMigrationSet(
                    "\(migration.fileName) is at position \(offset + 1), but versions must be 1, 2, 3 … in order"
                )
            }
        }
    }

    /// Checks the recorded rows against `migrations`, which `validate` has accepted.
    static func verify(_ records: [MigrationHistory.Record], against migrations: [Migration]) throws(MigrationError) {
        let newestKnown = migrations.count
        if let latest = records.last, latest.version > newestKnown {
            throw .databaseNewerThanBinary(
                appliedVersion: latest.version, appliedFileName: latest.fileName, newestKnown: newestKnown
            )
        }

        // Records are sorted by version and unique, so the record at position n (counting from 1) has version n.
        for (offset, record) in records.enumerated() {
            guard record.version >= 1 else {
                throw .inconsistentHistory("\(record.fileName) is recorded with version \(record.version)")
            }
            let expected = migrations[offset]
            guard record.version == expected.version else {
                throw .inconsistentHistory(
                    "\(expected.fileName) is not recorded, but the later \(record.fileName) is"
                )
            }
            guard record.sha256 == expected.sha256 else {
                throw .checksumMismatch(fileName: expected.fileName, recorded: record.sha256, embedded: expected.sha256)
            }
        }
    }

    // MARK: - Applying

    /// Applies `migration` and records it in one transaction. Returns false, applying nothing, when another
    /// connection recorded it between the check and this transaction.
    private static func apply(_ migration: Migration, to connection: SQLiteConnection) throws(MigrationError) -> Bool {
        do {
            return try connection.transaction {
                if let recorded = try MigrationHistory.recordedSHA256(ofVersion: migration.version, in: connection) {
                    guard recorded == migration.sha256 else {
                        throw MigrationError.checksumMismatch(
                            fileName: migration.fileName, recorded: recorded, embedded: migration.sha256
                        )
                    }
                    return false
                }

                try connection.rejectingTransactionControl { () throws(StorageError) in
                    try connection.execute(migration.sql)
                }
                try MigrationHistory.record(migration, in: connection)
                return true
            }
        } catch let error as MigrationError {
            throw error
        } catch let error as StorageError {
            if case .sqlite(SQLITE_AUTH, _, _) = error {
                throw .failed(
                    fileName: migration.fileName,
                    message: "\(error). A migration file must not contain BEGIN, COMMIT, END or ROLLBACK, "
                        + "because the migrator runs each file in a transaction of its own"
                )
            }
            throw .failed(fileName: migration.fileName, message: error.description)
        } catch {
            throw .failed(fileName: migration.fileName, message: String(describing: error))
        }
    }
}
