import CSQLite

/// Errors of the Storage layer.
///
/// No case carries the values bound to a statement's parameters, because they may be secrets
/// (sealed keys, token digests). The SQL text and SQLite's own message are kept.
public enum StorageError: Error, Equatable, CustomStringConvertible {
    /// `sqlite3_open_v2` failed for the database file at `path`.
    case openFailed(path: String, code: Int32, message: String)

    /// A SQLite call failed. `message` is `sqlite3_errmsg` read right after the failing call,
    /// and `code` is the extended result code.
    case sqlite(code: Int32, message: String, sql: String)

    /// `PRAGMA journal_mode=WAL` left the database in another journal mode, for example `memory` for an
    /// in-memory database.
    case walUnavailable(path: String, journalMode: String)

    /// `run`, `query` or `queryOne` was given SQL text that contains no statement or more than one.
    case notSingleStatement(sql: String)

    /// The number of arguments differs from the number of `?` parameters in the statement.
    case parameterCountMismatch(sql: String, parameterCount: Int, argumentCount: Int)

    /// A typed getter of `SQLiteRow` found a value of another type in the column.
    case unexpectedColumnType(column: Int, name: String, expected: SQLiteColumnType, actual: SQLiteColumnType)

    case migration(MigrationError)

    /// A stored value that the schema allows but Perimeter cannot read back, such as a malformed time.
    case invalidStoredValue(column: String, reason: String)

    public var description: String {
        switch self {
        case let .openFailed(path, code, message):
            "could not open SQLite database \(path): \(message) (SQLite error \(code))"
        case let .sqlite(code, message, sql):
            "SQLite error \(code) (\(Self.codeDescription(code))): \(message). Statement: \(sql)"
        case let .walUnavailable(path, journalMode):
            "SQLite database \(path) is in journal mode \(journalMode) after a request for WAL mode; "
                + "use a database file on a local file system"
        case let .notSingleStatement(sql):
            "expected exactly one SQL statement (use execute for a script of several). Statement: \(sql)"
        case let .parameterCountMismatch(sql, parameterCount, argumentCount):
            "statement has \(parameterCount) parameters but \(argumentCount) arguments were given. Statement: \(sql)"
        case let .unexpectedColumnType(column, name, expected, actual):
            "column \(column) (\(name)) contains \(actual.rawValue), expected \(expected.rawValue)"
        case let .migration(error):
            error.description
        case let .invalidStoredValue(column, reason):
            "stored value in \(column) cannot be read: \(reason)"
        }
    }

    /// Returns SQLite's English text for a result code, such as "constraint failed".
    private static func codeDescription(_ code: Int32) -> String {
        guard let text = sqlite3_errstr(code) else { return "unknown error" }
        return String(cString: text)
    }
}
