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

    /// tchar, the characters of a token such as a method or a field name. These are letters, digits and the
    /// symbols ! # $ % & ' * + - . ^ _ ` | ~.
    var isTokenCharacter: Bool {
        // Bit tests, because this runs for every byte of every field name. A test checks both masks against the
        // grammar above.
        Self.isMember(self, low: 0x03FF_6CFA_0000_0000, high: 0x57FF_FFFF_C7FF_FFFE)
    }

    /// A byte allowed inside a field value: VCHAR, obs-text, SP or HTAB, so every control character except HTAB
    /// is excluded.
    var isFieldValueCharacter: Bool {
        (self >= 0x21 && self != 0x7F) || isWhitespace
    }

    /// unreserved / sub-delims / ":" / "@" / "/" / "?": the bytes of an origin-form target other than a
    /// percent-encoded triplet. These are letters, digits and the symbols - . _ ~ ! $ & ' ( ) * + , ; = : @ / ?.
    var isTargetCharacter: Bool {
        // Bit tests like isTokenCharacter, checked against the grammar by the same test.
        Self.isMember(self, low: 0xAFFF_FFD2_0000_0000, high: 0x47FF_FFFE_87FF_FFFF)
    }

    /// A byte of a Host field value, `uri-host [ ":" port ]` (RFC 9110 section 7.2): the bytes of reg-name and
    /// IP-literal, which are letters, digits and the symbols - . _ ~ ! $ & ' ( ) * + , ; = % : [ ].
    var isHostCharacter: Bool {
        Self.isMember(self, low: 0x2FFF_7FF2_0000_0000, high: 0x47FF_FFFE_AFFF_FFFE)
    }

    /// Tests `byte` against a set of ASCII bytes given as two masks: bit n of `low` stands for byte n, and
    /// bit n of `high` for byte 64 + n. Bytes from 128 up are never members.
    @inline(__always)
    private static func isMember(_ byte: UInt8, low: UInt64, high: UInt64) -> Bool {
        guard byte < 128 else { return false }
        let mask = byte < 64 ? low : high
        return (mask &>> UInt64(byte & 63)) & 1 == 1
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
        guard utf8.count == other.utf8.count else { return false }
        return withUTF8Bytes { lhs in
            other.withUTF8Bytes { rhs in
                for index in 0..<lhs.count where lhs[index] != rhs[index] {
                    guard lhs[index].asciiLowercased == rhs[index].asciiLowercased else { return false }
                }
                return true
            }
        }
    }

    /// Calls `body` with the string's UTF-8 bytes, which native strings already hold contiguously; other
    /// strings are copied first.
    @inlinable
    public func withUTF8Bytes<Result>(_ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        if let result = utf8.withContiguousStorageIfAvailable(body) {
            return result
        }
        var copy = self
        return copy.withUTF8(body)
    }

    /// Returns whether every UTF-8 byte of the string satisfies `predicate`.
    @inline(__always)
    func allUTF8Bytes(satisfy predicate: (UInt8) -> Bool) -> Bool {
        withUTF8Bytes { bytes in
            for byte in bytes where !predicate(byte) { return false }
            return true
        }
    }
}

extension UnsafeBufferPointer<UInt8> {
    /// Returns whether any byte is a control character other than HTAB, that is, below 0x20 or equal to 0x7F, which
    /// field values must not contain.
    ///
    /// Eight bytes are tested at once with the word-at-a-time test for a byte below n, `(x - n·0x01…) & ~x & 0x80…`,
    /// which never misses such a byte but may also fire for the byte after one. A word that fires is settled byte by
    /// byte, which also lets HTAB through. Every request runs this over its header values.
    func containsFieldControlCharacter() -> Bool {
        guard let base = baseAddress else { return false }
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highBits: UInt64 = 0x8080_8080_8080_8080
        var index = 0
        while index + 8 <= count {
            let word = UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)
            let belowSpace = (word &- ones &* 0x20) & ~word & highBits
            let delete = word ^ (ones &* 0x7F)
            let isDelete = (delete &- ones) & ~delete & highBits
            if belowSpace | isDelete != 0 {
                for offset in index..<(index + 8) where !self[offset].isFieldValueCharacter {
                    return true
                }
            }
            index += 8
        }
        for offset in index..<count where !self[offset].isFieldValueCharacter {
            return true
        }
        return false
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
