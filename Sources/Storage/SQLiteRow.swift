/// One result row of a query, with typed getters that check each column's storage class.
///
/// Column indexes start at 0. An index outside the row is a programming error and traps, as with `Array`.
public struct SQLiteRow: Sendable, Equatable {
    /// The column values, in the order of the query's result columns.
    public let values: [SQLiteValue]

    /// The result column names, as `sqlite3_column_name` reports them. All rows of one query share the array.
    public let columnNames: [String]

    public init(values: [SQLiteValue], columnNames: [String]) {
        precondition(values.count == columnNames.count, "a row needs one name per column")
        self.values = values
        self.columnNames = columnNames
    }

    public subscript(_ index: Int) -> SQLiteValue {
        values[index]
    }

    public func integer(_ index: Int) throws(StorageError) -> Int64 {
        guard case let .integer(value) = values[index] else { throw mismatch(index, expected: .integer) }
        return value
    }

    public func real(_ index: Int) throws(StorageError) -> Double {
        guard case let .real(value) = values[index] else { throw mismatch(index, expected: .real) }
        return value
    }

    public func text(_ index: Int) throws(StorageError) -> String {
        guard case let .text(value) = values[index] else { throw mismatch(index, expected: .text) }
        return value
    }

    public func blob(_ index: Int) throws(StorageError) -> [UInt8] {
        guard case let .blob(value) = values[index] else { throw mismatch(index, expected: .blob) }
        return value
    }

    /// Returns nil for NULL and the integer otherwise.
    public func optionalInteger(_ index: Int) throws(StorageError) -> Int64? {
        if values[index] == .null { return nil }
        return try integer(index)
    }

    /// Returns nil for NULL and the text otherwise.
    public func optionalText(_ index: Int) throws(StorageError) -> String? {
        if values[index] == .null { return nil }
        return try text(index)
    }

    /// Returns nil for NULL and the bytes otherwise.
    public func optionalBlob(_ index: Int) throws(StorageError) -> [UInt8]? {
        if values[index] == .null { return nil }
        return try blob(index)
    }

    private func mismatch(_ index: Int, expected: SQLiteColumnType) -> StorageError {
        .unexpectedColumnType(
            column: index, name: columnNames[index], expected: expected, actual: values[index].columnType
        )
    }
}
