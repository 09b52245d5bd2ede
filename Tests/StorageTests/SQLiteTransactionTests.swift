import Testing
import Storage

@Suite final class SQLiteTransactionTests {
    private let database: TemporaryDatabase
    private var connection: SQLiteConnection { database.connection }

    init() throws {
        database = try TemporaryDatabase()
    }

    private struct BodyError: Error, Equatable {}

    @Test func transactionCommitsAndReturnsResult() throws {
        try connection.execute("CREATE TABLE a (x INTEGER)")

        let result = try connection.transaction {
            try connection.run("INSERT INTO a VALUES (?)", [1])
            return "done"
        }

        #expect(result == "done")
        #expect(try connection.query("SELECT x FROM a").count == 1)
    }

    @Test func transactionRollsBackAndRethrowsBodyError() throws {
        try connection.execute("CREATE TABLE a (x INTEGER)")

        #expect(throws: BodyError()) {
            try connection.transaction {
                try connection.run("INSERT INTO a VALUES (?)", [1])
                throw BodyError()
            }
        }

        #expect(try connection.query("SELECT x FROM a").isEmpty)
        // A new transaction can begin, so the failed one is no longer open.
        try connection.transaction { try connection.run("INSERT INTO a VALUES (?)", [2]) }
        #expect(try connection.query("SELECT x FROM a").count == 1)
    }

    @Test func transactionRollsBackWhenCommitFails() throws {
        try connection.execute("""
            CREATE TABLE parent (id INTEGER PRIMARY KEY);
            CREATE TABLE child (parent_id INTEGER REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED);
            """)

        // A deferred foreign key is checked at COMMIT, which fails and leaves the transaction open.
        let error = #expect(throws: StorageError.self) {
            try connection.transaction { try connection.run("INSERT INTO child VALUES (?)", [7]) }
        }

        guard case let .sqlite(code, message, sql)? = error else {
            Issue.record("expected a SQLite error, got \(String(describing: error))")
            return
        }
        #expect(code == 787)  // SQLITE_CONSTRAINT_FOREIGNKEY
        #expect(message == "FOREIGN KEY constraint failed")
        #expect(sql == "COMMIT")
        #expect(try connection.query("SELECT parent_id FROM child").isEmpty)
        try connection.transaction { try connection.run("INSERT INTO parent VALUES (?)", [1]) }
    }

    @Test func transactionDoesNotNest() throws {
        try connection.execute("CREATE TABLE a (x INTEGER)")

        let error = #expect(throws: StorageError.self) {
            try connection.transaction {
                try connection.run("INSERT INTO a VALUES (?)", [1])
                try connection.transaction { try connection.run("INSERT INTO a VALUES (?)", [2]) }
            }
        }

        #expect(error?.description.contains("cannot start a transaction within a transaction") == true)
        #expect(try connection.query("SELECT x FROM a").isEmpty)
    }

    @Test func uncommittedWritesAreHiddenFromReaders() throws {
        let reader = try SQLiteConnection(path: database.path)
        try connection.execute("CREATE TABLE a (x INTEGER)")

        try connection.transaction {
            // In WAL mode another connection can read during the write transaction, and it reads the old state.
            try connection.run("INSERT INTO a VALUES (?)", [1])
            #expect(try reader.query("SELECT x FROM a").isEmpty)
        }

        #expect(try reader.query("SELECT x FROM a").count == 1)
    }
}
