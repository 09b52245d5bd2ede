/// Environment names: `[a-z0-9][a-z0-9-]{0,62}`, so they are safe in paths, file names and headers.
public enum EnvironmentName {
    public static let defaultName = "default"

    public static func isValid(_ name: some StringProtocol) -> Bool {
        if let isValid = name.utf8.withContiguousStorageIfAvailable({ isValid(utf8: $0) }) {
            return isValid
        }
        return Array(name.utf8).withUnsafeBufferPointer { isValid(utf8: $0) }
    }

    /// Checks a name given as UTF-8 bytes, which lets the poll route check one without making a string.
    public static func isValid(utf8 bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let first = bytes.first, bytes.count <= 63, isLowerAlphanumeric(first) else { return false }
        return bytes.allSatisfy { isLowerAlphanumeric($0) || $0 == UInt8(ascii: "-") }
    }

    private static func isLowerAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }
}
