/// Checks for single values shared by several policy sections.
public enum PolicyFields {
    public static let maxPathBytes = 1024

    /// An address or CIDR block; a bare address is a block of that one address.
    public static func block(_ text: String) throws(FieldError) -> CIDRBlock {
        do {
            return try CIDRBlock(parsing: text)
        } catch {
            throw FieldError(value: text, detail: error.description)
        }
    }

    /// An exempt path: absolute, already normalized, without query or fragment.
    ///
    /// Request paths are normalized before they are matched, so a rule that is not normalized could
    /// never match and would only mislead; it is refused with its normalized spelling instead.
    public static func exemptPath(_ text: String) throws(FieldError) -> String {
        guard !text.isEmpty else { throw FieldError(value: text, detail: "empty path; remove the entry") }
        guard text.utf8.count <= maxPathBytes else {
            throw FieldError(value: String(text.prefix(64)) + "…", detail: "path longer than \(maxPathBytes) bytes")
        }
        guard text.hasPrefix("/") else { throw FieldError(value: text, detail: "a path must start with \"/\"") }
        for byte in text.utf8 where !isPathByte(byte) {
            let reason = byte == UInt8(ascii: "%")
                ? "write the path without percent-encoding"
                : "the character \"\(Character(Unicode.Scalar(byte)))\" is not allowed in a path"
            throw FieldError(value: text, detail: byte < 0x21 || byte > 0x7E
                ? "paths may contain only visible ASCII characters" : reason)
        }
        let normalized = normalize(text)
        guard normalized == text else {
            throw FieldError(value: text, detail: "the path is not normalized; write \(normalized)")
        }
        return text
    }

    /// Removes empty, `.` and `..` segments and a trailing slash; the root stays `/`.
    public static func normalize(_ path: String) -> String {
        var segments: [Substring] = []
        for segment in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch segment {
            case ".": continue
            case "..": _ = segments.popLast()
            default: segments.append(segment)
            }
        }
        return "/" + segments.joined(separator: "/")
    }

    /// RFC 3986 `pchar` without percent-encoding, plus the segment separator.
    private static func isPathByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        default:
            Array("-._~!$&'()*+,;=:@/".utf8).contains(byte)
        }
    }
}
