import Signing

/// One SQL file of the `migrations/` folder, as carried by the binary.
public struct Migration: Sendable, Equatable {
    /// The number that starts the file name. Migrations apply in increasing order, starting at 1.
    public let version: Int

    /// The file name in `migrations/`, such as `0001_initial_schema.sql`.
    public let fileName: String

    /// The exact text of the file.
    public let sql: String

    public init(version: Int, fileName: String, sql: String) {
        self.version = version
        self.fileName = fileName
        self.sql = sql
    }

    /// The lower-case hex SHA-256 of the UTF-8 text, recorded in `schema_migrations` when the migration is applied.
    public var sha256: String {
        SHA256.hex(sql.utf8)
    }

    /// Returns the version in a file name of the form `NNNN_<name>.sql`, or nil for any other form.
    ///
    /// `NNNN` is four decimal digits and `<name>` is one or more lower-case ASCII letters, digits and underscores.
    public static func version(fromFileName fileName: String) -> Int? {
        let bytes = Array(fileName.utf8)
        let suffix = Array(".sql".utf8)
        guard bytes.count > 5 + suffix.count, bytes.suffix(suffix.count).elementsEqual(suffix) else { return nil }

        let digits = bytes[0..<4]
        let separator = bytes[4]
        let name = bytes[5..<(bytes.count - suffix.count)]
        guard digits.allSatisfy(isDigit), separator == UInt8(ascii: "_"), name.allSatisfy(isNameCharacter) else {
            return nil
        }
        return Int(String(decoding: digits, as: UTF8.self))
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    private static func isNameCharacter(_ byte: UInt8) -> Bool {
        isDigit(byte) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || byte == UInt8(ascii: "_")
    }
}
