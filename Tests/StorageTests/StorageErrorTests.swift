import Testing
import Storage

/// Error descriptions end up in logs, so they must not repeat values bound to statement parameters.
@Suite final class StorageErrorTests {
    private let database: TemporaryDatabase
    private var connection: SQLiteConnection { database.connection }

    init() throws {
        database = try TemporaryDatabase()
    }

    private let secret = "s3cr3t-token-value-7f1c"

    private func expectNoSecret(in error: (any Error)?, sourceLocation: SourceLocation = #_sourceLocation) {
        guard let error else {
            Issue.record("expected an error", sourceLocation: sourceLocation)
            return
        }
        #expect(!String(describing: error).contains(secret), sourceLocation: sourceLocation)
        #expect(!String(reflecting: error).contains(secret), sourceLocation: sourceLocation)
    }

    @Test func uniqueViolationOmitsArguments() throws {
        try connection.execute("CREATE TABLE tokens (token_sha256 TEXT UNIQUE)")
        try connection.run("INSERT INTO tokens VALUES (?)", [.text(secret)])

        let error = #expect(throws: StorageError.self) {
            try connection.run("INSERT INTO tokens VALUES (?)", [.text(secret)])
        }

        expectNoSecret(in: error)
        #expect(error?.description.contains("UNIQUE constraint failed: tokens.token_sha256") == true)
        #expect(error?.description.contains("INSERT INTO tokens VALUES (?)") == true)
    }

    @Test func checkViolationOmitsArguments() throws {
        try connection.execute("CREATE TABLE keys (material TEXT CHECK (length(material) < 5))")

        let error = #expect(throws: StorageError.self) {
            try connection.run("INSERT INTO keys VALUES (?)", [.text(secret)])
        }

        expectNoSecret(in: error)
    }

    @Test func typeViolationOmitsArguments() throws {
        try connection.execute("CREATE TABLE numbers (n INTEGER) STRICT")

        let error = #expect(throws: StorageError.self) {
            try connection.run("INSERT INTO numbers VALUES (?)", [.text(secret)])
        }

        expectNoSecret(in: error)
    }

    @Test func argumentCountMismatchOmitsArguments() throws {
        try connection.execute("CREATE TABLE tokens (token_sha256 TEXT)")

        let error = #expect(throws: StorageError.self) {
            try connection.run("INSERT INTO tokens VALUES (?)", [.text(secret), .text(secret)])
        }

        expectNoSecret(in: error)
    }

    @Test func columnTypeMismatchOmitsValue() throws {
        try connection.execute("CREATE TABLE tokens (token_sha256 TEXT)")
        try connection.run("INSERT INTO tokens VALUES (?)", [.text(secret)])
        let row = try #require(try connection.queryOne("SELECT token_sha256 FROM tokens"))

        let error = #expect(throws: StorageError.self) { try row.blob(0) }

        expectNoSecret(in: error)
    }
}
