/// Host name rules shared by host patterns and egress decisions: canonical spelling, RFC 1123 label
/// checks, and the WHATWG test for hosts that URL parsers read as IPv4 addresses.
enum EgressHostName {
    /// The maximum length of a name in text form, without a trailing dot (RFC 1035 section 2.3.4 allows
    /// 255 octets on the wire, which is 253 characters of text).
    static let maxLength = 253
    static let maxLabelLength = 63

    /// Lower-cases `text` and removes one trailing dot, so `Example.COM.` becomes `example.com`.
    static func canonical(_ text: some StringProtocol) -> String {
        var name = text.utf8.allSatisfy { $0 < 0x80 } ? asciiLowercased(text) : String(text).lowercased()
        if name.hasSuffix("."), name.count > 1 { name.removeLast() }
        return name
    }

    /// Checks a canonical name: ASCII only, with labels of letters, digits and hyphens (RFC 1123 section 2.1).
    /// Each label has 1 to 63 characters and no hyphen at either end. The name has at most `maxLength`
    /// characters, and its last label is not a number.
    static func validate(_ name: String, maxLength: Int = maxLength) throws(HostNameError) {
        guard !name.isEmpty else { throw .empty }
        guard name.utf8.allSatisfy({ $0 < 0x80 }) else {
            throw .notASCII(name, suggestion: punycodeSpelling(of: name))
        }
        for byte in name.utf8 where !isNameByte(byte) {
            throw .invalidCharacter(name, character: String(Character(Unicode.Scalar(byte))))
        }
        guard name.utf8.count <= maxLength else { throw .tooLong(name, maximum: maxLength) }

        for label in name.split(separator: ".", omittingEmptySubsequences: false) {
            guard !label.isEmpty else { throw .emptyLabel(name) }
            guard label.utf8.count <= maxLabelLength else { throw .labelTooLong(name, label: String(label)) }
            guard label.first != "-", label.last != "-" else { throw .hyphenAtLabelEdge(name, label: String(label)) }
        }
        guard !endsInNumber(name) else { throw .endsInNumber(name) }
    }

    /// Returns whether the last label is a number as the WHATWG URL Standard's "ends in a number" checker
    /// defines it: all decimal digits, or `0x` followed by zero or more hex digits. Browsers and other
    /// WHATWG parsers then read the whole host as an IPv4 address, so such a host is never treated as a name.
    static func endsInNumber(_ name: String) -> Bool {
        guard let last = name.split(separator: ".", omittingEmptySubsequences: false).last else { return false }
        return isNumericLabel(last)
    }

    /// Returns whether every label is a number as `inet_aton` or the WHATWG IPv4 parser accepts it (decimal,
    /// octal with a leading zero, or `0x` hex). Such a host is an IPv4 literal in some spelling.
    static func isNumericOnly(_ name: String) -> Bool {
        name.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { isNumericLabel($0) }
    }

    /// Returns the `xn--` spelling of a name with non-ASCII labels, or nil if a label cannot be encoded.
    ///
    /// Only lower-casing is applied first, not IDNA mapping and normalization (UTS #46). So the result is a
    /// suggestion for the operator to confirm, never a name that rules are matched against.
    static func punycodeSpelling(of name: String) -> String? {
        var labels: [String] = []
        for label in name.lowercased().split(separator: ".", omittingEmptySubsequences: false) {
            if label.utf8.allSatisfy({ $0 < 0x80 }) {
                labels.append(String(label))
            } else {
                guard let encoded = Punycode.encode(String(label)) else { return nil }
                labels.append("xn--" + encoded)
            }
        }
        return labels.joined(separator: ".")
    }

    // MARK: - Bytes

    private static func isNumericLabel(_ label: Substring) -> Bool {
        let bytes = Array(label.utf8)
        guard !bytes.isEmpty else { return false }
        if bytes.count >= 2, bytes[0] == UInt8(ascii: "0"), bytes[1] == UInt8(ascii: "x") || bytes[1] == UInt8(ascii: "X") {
            return bytes.dropFirst(2).allSatisfy(isHexDigit)
        }
        return bytes.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }

    private static func isNameByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "."):
            true
        default:
            false
        }
    }

    private static func asciiLowercased(_ text: some StringProtocol) -> String {
        String(decoding: text.utf8.map { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") ? $0 + 32 : $0 }, as: UTF8.self)
    }
}
