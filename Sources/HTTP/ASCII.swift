/// Byte classes from the HTTP grammar (RFC 9110 section 5.6) and the URI grammar (RFC 3986 section 2).
extension UInt8 {
    static let carriageReturn = UInt8(ascii: "\r")
    static let lineFeed = UInt8(ascii: "\n")
    static let space = UInt8(ascii: " ")
    static let horizontalTab = UInt8(ascii: "\t")
    static let colon = UInt8(ascii: ":")
    static let semicolon = UInt8(ascii: ";")
    static let comma = UInt8(ascii: ",")
    static let percent = UInt8(ascii: "%")
    static let slash = UInt8(ascii: "/")
    static let questionMark = UInt8(ascii: "?")

    /// SP or HTAB, the whitespace of OWS and BWS.
    var isWhitespace: Bool { self == .space || self == .horizontalTab }

    var isDecimalDigit: Bool { self >= UInt8(ascii: "0") && self <= UInt8(ascii: "9") }

    var isLetter: Bool {
        (self >= UInt8(ascii: "a") && self <= UInt8(ascii: "z")) || (self >= UInt8(ascii: "A") && self <= UInt8(ascii: "Z"))
    }

    /// tchar: the characters of a token such as a method or a field name.
    var isTokenCharacter: Bool {
        if isLetter || isDecimalDigit { return true }
        switch self {
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
             UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
             UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    /// A byte allowed inside a field value: VCHAR, obs-text, SP or HTAB, so every control character except HTAB
    /// is excluded.
    var isFieldValueCharacter: Bool {
        (self >= 0x21 && self != 0x7F) || isWhitespace
    }

    /// unreserved / sub-delims / ":" / "@" / "/" / "?": the bytes of an origin-form target other than a
    /// percent-encoded triplet.
    var isTargetCharacter: Bool {
        if isLetter || isDecimalDigit { return true }
        switch self {
        case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"),
             UInt8(ascii: "!"), UInt8(ascii: "$"), UInt8(ascii: "&"), UInt8(ascii: "'"), UInt8(ascii: "("),
             UInt8(ascii: ")"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: ","), UInt8(ascii: ";"),
             UInt8(ascii: "="), UInt8(ascii: ":"), UInt8(ascii: "@"), UInt8(ascii: "/"), UInt8(ascii: "?"):
            return true
        default:
            return false
        }
    }

    var hexDigitValue: Int? {
        switch self {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): Int(self - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): Int(self - UInt8(ascii: "a")) + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): Int(self - UInt8(ascii: "A")) + 10
        default: nil
        }
    }

    var asciiLowercased: UInt8 {
        self >= UInt8(ascii: "A") && self <= UInt8(ascii: "Z") ? self + 32 : self
    }
}

extension String {
    /// Compares two strings byte for byte, treating ASCII letters of either case as equal.
    func equalsIgnoringASCIICase(_ other: String) -> Bool {
        let lhs = utf8
        let rhs = other.utf8
        guard lhs.count == rhs.count else { return false }
        return zip(lhs, rhs).allSatisfy { $0.asciiLowercased == $1.asciiLowercased }
    }
}

extension Collection<UInt8> where SubSequence == Self {
    /// Returns the bytes without leading and trailing SP and HTAB.
    func trimmingWhitespace() -> SubSequence {
        let leading = drop(while: \.isWhitespace)
        var end = leading.endIndex
        while end > leading.startIndex {
            let previous = leading.index(end, offsetBy: -1)
            guard leading[previous].isWhitespace else { break }
            end = previous
        }
        return leading[..<end]
    }
}
