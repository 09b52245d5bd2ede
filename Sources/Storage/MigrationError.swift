/// Reasons why `Migrator.migrate` applied nothing, or stopped at a migration.
public enum MigrationError: Error, Equatable, CustomStringConvertible {
    /// The SHA-256 recorded for an applied migration differs from the text that this binary carries.
    case checksumMismatch(fileName: String, recorded: String, embedded: String)

    /// The database records a migration with a higher version than any that this binary carries.
    case databaseNewerThanBinary(appliedVersion: Int, appliedFileName: String, newestKnown: Int)

    /// Applying the migration failed, and its transaction was rolled back. `message` describes the SQLite error.
    case failed(fileName: String, message: String)

    /// The migrations given to the migrator are not numbered 1, 2, 3 … in order, or a file name is malformed.
    case invalidMigrationSet(String)

    /// Creating or reading the `schema_migrations` table failed.
    case historyUnreadable(message: String)

    /// The rows of `schema_migrations` could not have been written by the migrator, for example with a gap.
    case inconsistentHistory(String)

    public var description: String {
        switch self {
        case let .checksumMismatch(fileName, recorded, embedded):
            "migration \(fileName) was changed after it was applied to this database (recorded sha256 \(recorded), "
                + "this binary has \(embedded)); restore the file or use a new database"
        case let .databaseNewerThanBinary(appliedVersion, appliedFileName, newestKnown):
            "the database has migration \(appliedFileName) (version \(appliedVersion)) applied, but this binary "
                + "only has migrations up to version \(newestKnown); this binary is older than the database, "
                + "so run a newer one"
        case let .failed(fileName, message):
            "migration \(fileName) failed and was rolled back: \(message)"
        case let .invalidMigrationSet(detail):
            "invalid set of migrations: \(detail)"
        case let .historyUnreadable(message):
            "could not create or read the schema_migrations table: \(message)"
        case let .inconsistentHistory(detail):
            "the schema_migrations table is inconsistent: \(detail); it was changed outside the migrator"
        }
    }
}
