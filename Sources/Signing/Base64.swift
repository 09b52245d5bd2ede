/// Base64 (RFC 4648) encoding with padding, and strict decoding of both the standard and the URL-safe
/// alphabet, since DSSE envelopes may use either.
enum Base64 {
    private static let standardAlphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    private static let padding = UInt8(ascii: "=")

    /// Encodes `bytes` with the standard alphabet and `=` padding (RFC 4648 section 4).
    static func encode(_ bytes: [UInt8]) -> String {
        var text = [UInt8]()
        text.reserveCapacity((bytes.count + 2) / 3 * 4)

        var index = 0
        while index < bytes.count {
            let remaining = bytes.count - index
            let first = UInt32(bytes[index])
            let second = remaining > 1 ? UInt32(bytes[index + 1]) : 0
            let third = remaining > 2 ? UInt32(bytes[index + 2]) : 0
            let group = first << 16 | second << 8 | third

            text.append(standardAlphabet[Int(group >> 18 & 0x3f)])
            text.append(standardAlphabet[Int(group >> 12 & 0x3f)])
            text.append(remaining > 1 ? standardAlphabet[Int(group >> 6 & 0x3f)] : padding)
            text.append(remaining > 2 ? standardAlphabet[Int(group & 0x3f)] : padding)
            index += 3
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// Decodes standard (`+/`) or URL-safe (`-_`) Base64, with or without `=` padding.
    ///
    /// Returns nil for characters outside the alphabet, a mix of both alphabets, whitespace, misplaced or
    /// excess padding, an impossible length, or non-zero bits after the last byte. The last rule makes
    /// each byte sequence have exactly one accepted spelling per alphabet and padding choice.
    static func decode(_ text: String) -> [UInt8]? {
        var symbols = Array(text.utf8)

        // Strip the padding and check that it completes a 4-character group.
        var paddingCount = 0
        while symbols.last == padding {
            symbols.removeLast()
            paddingCount += 1
        }
        guard paddingCount <= 2, paddingCount == 0 || (symbols.count + paddingCount) % 4 == 0 else {
            return nil
        }
        guard symbols.count % 4 != 1 else {
            return nil
        }

        guard let values = sextets(of: symbols) else {
            return nil
        }

        var bytes = [UInt8]()
        bytes.reserveCapacity(values.count * 3 / 4)
        var accumulator: UInt32 = 0
        var bitCount = 0
        for value in values {
            accumulator = accumulator << 6 | UInt32(value)
            bitCount += 6
            if bitCount >= 8 {
                bitCount -= 8
                bytes.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bitCount)))
                accumulator &= (1 << UInt32(bitCount)) - 1
            }
        }
        guard accumulator == 0 else {
            return nil
        }
        return bytes
    }

    /// Maps each symbol to its 6-bit value; nil if a symbol is in neither alphabet or both are mixed.
    private static func sextets(of symbols: [UInt8]) -> [UInt8]? {
        var values = [UInt8]()
        values.reserveCapacity(symbols.count)
        var hasStandardSymbol = false
        var hasURLSafeSymbol = false

        for symbol in symbols {
            switch symbol {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"):
                values.append(symbol - UInt8(ascii: "A"))
            case UInt8(ascii: "a")...UInt8(ascii: "z"):
                values.append(symbol - UInt8(ascii: "a") + 26)
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                values.append(symbol - UInt8(ascii: "0") + 52)
            case UInt8(ascii: "+"):
                hasStandardSymbol = true
                values.append(62)
            case UInt8(ascii: "/"):
                hasStandardSymbol = true
                values.append(63)
            case UInt8(ascii: "-"):
                hasURLSafeSymbol = true
                values.append(62)
            case UInt8(ascii: "_"):
                hasURLSafeSymbol = true
                values.append(63)
            default:
                return nil
            }
        }

        guard !(hasStandardSymbol && hasURLSafeSymbol) else {
            return nil
        }
        return values
    }
}
