import CSQLite
import Testing
@testable import Storage

@Suite final class SQLiteStatementCacheTests {
    private let database: TemporaryDatabase
    private var connection: SQLiteConnection { database.connection }

    init() throws {
        database = try TemporaryDatabase()
    }

    @Test func statementIsPreparedOncePerSQLText() throws {
        try connection.execute("CREATE TABLE a (x INTEGER)")
        let countBefore = connection.cachedStatementCount
        let insert = "INSERT INTO a VALUES (?)"

        try connection.run(insert, [1])
        let first = try connection.cachedStatement(for: insert)
        try connection.run(insert, [2])
        try connection.run(insert, [3])

        #expect(connection.cachedStatementCount == countBefore + 1)
        #expect(try connection.cachedStatement(for: insert) === first)
        #expect(try connection.query("SELECT x FROM a ORDER BY x").map { try $0.integer(0) } == [1, 2, 3])
    }

    @Test func executeDoesNotCache() throws {
        let countBefore = connection.cachedStatementCount
        try connection.execute("CREATE TABLE a (x INTEGER); INSERT INTO a VALUES (1)")
        #expect(connection.cachedStatementCount == countBefore)
    }

    @Test func bindingsAreClearedAfterUse() throws {
        try connection.execute("CREATE TABLE a (x TEXT)")
        let insert = "INSERT INTO a VALUES (?)"

        try connection.run(insert, ["secret-value"])

        let statement = try connection.cachedStatement(for: insert)
        #expect(expandedSQL(of: statement) == "INSERT INTO a VALUES (NULL)")
    }

    @Test func bindingsAreClearedAfterFailure() throws {
        try connection.execute("CREATE TABLE a (x TEXT UNIQUE)")
        let insert = "INSERT INTO a VALUES (?)"
        try connection.run(insert, ["secret-value"])

        #expect(throws: StorageError.self) { try connection.run(insert, ["secret-value"]) }

        let statement = try connection.cachedStatement(for: insert)
        #expect(expandedSQL(of: statement) == "INSERT INTO a VALUES (NULL)")
    }

    @Test func queryOneResetsStatementForNextUse() throws {
        try connection.execute("CREATE TABLE a (x INTEGER); INSERT INTO a VALUES (1), (2), (3)")
        let select = "SELECT x FROM a WHERE x >= ? ORDER BY x"

        #expect(try connection.queryOne(select, [1])?.integer(0) == 1)
        #expect(try connection.queryOne(select, [2])?.integer(0) == 2)
        #expect(try connection.query(select, [2]).count == 2)
    }

    private func expandedSQL(of statement: SQLiteStatement) -> String? {
        guard let text = sqlite3_expanded_sql(statement.handle) else { return nil }
        defer { sqlite3_free(text) }
        return String(cString: text)
    }
}
