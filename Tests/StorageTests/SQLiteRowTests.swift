import Testing
import Storage

@Suite struct SQLiteRowTests {
    private let row = SQLiteRow(
        values: [.integer(7), .text("name"), .blob([1, 2]), .real(1.5), .null],
        columnNames: ["id", "name", "key", "ratio", "deleted_at"]
    )

    @Test func typedGettersReturnMatchingValues() throws {
        #expect(try row.integer(0) == 7)
        #expect(try row.text(1) == "name")
        #expect(try row.blob(2) == [1, 2])
        #expect(try row.real(3) == 1.5)
    }

    @Test func optionalGettersReturnNilForNull() throws {
        #expect(try row.optionalInteger(4) == nil)
        #expect(try row.optionalText(4) == nil)
        #expect(try row.optionalBlob(4) == nil)
        #expect(try row.optionalInteger(0) == 7)
        #expect(try row.optionalText(1) == "name")
        #expect(try row.optionalBlob(2) == [1, 2])
    }

    @Test func typedGetterRejectsOtherStorageClass() throws {
        let error = #expect(throws: StorageError.self) { try row.integer(1) }
        #expect(error == .unexpectedColumnType(column: 1, name: "name", expected: .integer, actual: .text))
        #expect(error?.description == "column 1 (name) contains text, expected integer")
    }

    @Test func typedGetterRejectsNull() throws {
        let error = #expect(throws: StorageError.self) { try row.text(4) }
        #expect(error == .unexpectedColumnType(column: 4, name: "deleted_at", expected: .text, actual: .null))
    }

    @Test func optionalGetterRejectsOtherStorageClass() throws {
        let error = #expect(throws: StorageError.self) { try row.optionalText(0) }
        #expect(error == .unexpectedColumnType(column: 0, name: "id", expected: .text, actual: .integer))
    }
}
