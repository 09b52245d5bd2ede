import Foundation
import Testing
@testable import Storage

@Suite final class SQLiteConnectionTests {
    private let database: TemporaryDatabase
    private var connection: SQLiteConnection { database.connection }

    init() throws {
        database = try TemporaryDatabase()
    }

    @Test func openSetsWALFullSyncAndForeignKeys() throws {
        #expect(try connection.queryOne("PRAGMA journal_mode")?.text(0) == "wal")
        #expect(try connection.queryOne("PRAGMA synchronous")?.integer(0) == 2)
        #expect(try connection.queryOne("PRAGMA foreign_keys")?.integer(0) == 1)
        #expect(try connection.queryOne("PRAGMA busy_timeout")?.integer(0) == 5000)
    }

    @Test func openRejectsInMemoryDatabase() throws {
        let error = #expect(throws: StorageError.self) { try SQLiteConnection(path: ":memory:") }
        #expect(error == .walUnavailable(path: ":memory:", journalMode: "memory"))
    }

    @Test func openFailsInMissingDirectory() throws {
        let path = database.directory.appendingPathComponent("missing/test.db").path

        let error = #expect(throws: StorageError.self) { try SQLiteConnection(path: path) }

        guard case let .openFailed(failedPath, code, message)? = error else {
            Issue.record("expected openFailed, got \(String(describing: error))")
            return
        }
        #expect(failedPath == path)
        #expect(code == 14)  // SQLITE_CANTOPEN
        #expect(message == "unable to open database file")
    }

    @Test func valuesRoundTripByStorageClass() throws {
        let values: [SQLiteValue] = [
            nil, 0, -9_223_372_036_854_775_808, 9_223_372_036_854_775_807, 0.5, "", "grüße \u{0} nach",
            .blob([]), .blob([0, 255, 10, 0]),
        ]
        try connection.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, value ANY) STRICT")
        for value in values {
            try connection.run("INSERT INTO t (value) VALUES (?)", [value])
        }

        let stored = try connection.query("SELECT value FROM t ORDER BY id").map { $0[0] }
        #expect(stored == values)
    }

    @Test func queryReturnsColumnNamesAndAllRows() throws {
        try connection.execute("CREATE TABLE t (name TEXT, size INTEGER); INSERT INTO t VALUES ('a', 1), ('b', 2)")

        let rows = try connection.query("SELECT name, size AS bytes FROM t ORDER BY name")
        #expect(rows.count == 2)
        #expect(rows.first?.columnNames == ["name", "bytes"])
        #expect(try rows.map { try $0.text(0) } == ["a", "b"])
        #expect(try rows.map { try $0.integer(1) } == [1, 2])
    }

    @Test func queryOneReturnsNilWithoutRows() throws {
        try connection.execute("CREATE TABLE t (x INTEGER)")
        #expect(try connection.queryOne("SELECT x FROM t") == nil)
    }

    @Test func lastInsertRowIDAndChangesFollowWrites() throws {
        try connection.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, x INTEGER)")
        try connection.run("INSERT INTO t (id, x) VALUES (?, ?)", [41, 0])
        #expect(connection.lastInsertRowID == 41)

        try connection.run("INSERT INTO t (x) VALUES (?)", [0])
        #expect(connection.lastInsertRowID == 42)

        try connection.run("UPDATE t SET x = ?", [7])
        #expect(connection.changes == 2)
    }

    @Test func executeNamesFailingStatementAndKeepsEarlierOnes() throws {
        let script = """
            CREATE TABLE a (x INTEGER);
            -- a comment between statements
            INSERT INTO a VALUES (1);
            INSERT INTO missing VALUES (2);
            INSERT INTO a VALUES (3);
            """
        let error = #expect(throws: StorageError.self) { try connection.execute(script) }
        guard case let .sqlite(code, message, sql)? = error else {
            Issue.record("expected a SQLite error, got \(String(describing: error))")
            return
        }
        #expect(code == 1)
        #expect(message == "no such table: missing")
        #expect(sql == "INSERT INTO missing VALUES (2);")
        #expect(try connection.query("SELECT x FROM a").map { try $0.integer(0) } == [1])
    }

    @Test func executeReportsStepErrorWithStatementText() throws {
        try connection.execute("CREATE TABLE a (x INTEGER NOT NULL)")

        let error = #expect(throws: StorageError.self) {
            try connection.execute("INSERT INTO a VALUES (1);\nINSERT INTO a VALUES (NULL);")
        }
        // 1299 is the extended result code SQLITE_CONSTRAINT_NOTNULL, which SQLITE_OPEN_EXRESCODE enables.
        let expected = StorageError.sqlite(
            code: 1299, message: "NOT NULL constraint failed: a.x", sql: "INSERT INTO a VALUES (NULL);"
        )
        #expect(error == expected)
    }

    @Test func executeAcceptsScriptEndingInComment() throws {
        try connection.execute("CREATE TABLE a (x INTEGER); -- trailing comment\n")
        try connection.execute("")
        #expect(try connection.query("SELECT x FROM a").isEmpty)
    }

    @Test func runRejectsSeveralStatements() throws {
        let sql = "CREATE TABLE a (x); CREATE TABLE b (x)"
        let error = #expect(throws: StorageError.self) { try connection.run(sql) }
        #expect(error == .notSingleStatement(sql: sql))
        #expect(try connection.query("SELECT name FROM sqlite_schema").isEmpty)
    }

    @Test func runAcceptsTrailingComment() throws {
        try connection.run("CREATE TABLE a (x); -- one statement")
        #expect(try connection.query("SELECT name FROM sqlite_schema").count == 1)
    }

    @Test func runRejectsEmptyStatement() throws {
        let error = #expect(throws: StorageError.self) { try connection.run("  -- nothing\n") }
        #expect(error == .notSingleStatement(sql: "  -- nothing\n"))
    }

    @Test func runRejectsWrongArgumentCount() throws {
        try connection.execute("CREATE TABLE a (x, y)")
        let sql = "INSERT INTO a VALUES (?, ?)"

        let error = #expect(throws: StorageError.self) { try connection.run(sql, [1]) }
        #expect(error == .parameterCountMismatch(sql: sql, parameterCount: 2, argumentCount: 1))
    }
}
