/// A strict RFC 8259 parser over UTF-8 bytes.
///
/// Stricter than the RFC requires in two ways that matter for policy input: duplicate member names
/// are rejected (the RFC leaves their meaning open, and two parsers may pick different ones), and
/// nesting is bounded so that hostile input cannot exhaust the stack.
public struct JSONParser {
    public struct Error: Swift.Error, Equatable, CustomStringConvertible {
        /// Byte offset of the problem in the input.
        public let offset: Int
        public let reason: String

        public var description: String { "invalid JSON at byte \(offset): \(reason)" }
    }

    /// The maximum number of nested arrays and objects. Scalars do not count as a level.
    public static let defaultMaxDepth = 64

    private let bytes: [UInt8]
    private let maxDepth: Int
    private var position = 0

    private init(bytes: [UInt8], maxDepth: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    /// Parses one JSON document; anything but whitespace after it is an error.
    public static func parse(_ bytes: [UInt8], maxDepth: Int = defaultMaxDepth) throws(Error) -> JSONValue {
        var parser = JSONParser(bytes: bytes, maxDepth: maxDepth)
        parser.skipWhitespace()
        let value = try parser.parseValue(depth: 0)
        parser.skipWhitespace()
        guard parser.position == bytes.count else { throw parser.error("unexpected data after the document") }
        return value
    }

    // MARK: - Values

    /// Parses the value at the cursor, which `depth` arrays and objects enclose.
    private mutating func parseValue(depth: Int) throws(Error) -> JSONValue {
        guard let byte = peek() else { throw error("unexpected end of input") }
        if byte == UInt8(ascii: "{") || byte == UInt8(ascii: "["), depth >= maxDepth {
            throw error("nesting deeper than \(maxDepth) levels")
        }
        switch byte {
        case UInt8(ascii: "{"): return try parseObject(depth: depth)
        case UInt8(ascii: "["): return try parseArray(depth: depth)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        default: throw error("unexpected character")
        }
    }

    private mutating func parseObject(depth: Int) throws(Error) -> JSONValue {
        position += 1
        var members: [(key: String, value: JSONValue)] = []
        var seen = Set<String>()
        skipWhitespace()
        if peek() == UInt8(ascii: "}") {
            position += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard peek() == UInt8(ascii: "\"") else { throw error("expected a member name in double quotes") }
            let keyOffset = position
            let key = try parseString()
            guard seen.insert(key).inserted else {
                throw Error(offset: keyOffset, reason: "duplicate member name \"\(key)\"")
            }
            skipWhitespace()
            guard consume(UInt8(ascii: ":")) else { throw error("expected ':' after a member name") }
            skipWhitespace()
            members.append((key, try parseValue(depth: depth + 1)))
            skipWhitespace()
            if consume(UInt8(ascii: ",")) { continue }
            if consume(UInt8(ascii: "}")) { return .object(members) }
            throw error("expected ',' or '}' in an object")
        }
    }

    private mutating func parseArray(depth: Int) throws(Error) -> JSONValue {
        position += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if consume(UInt8(ascii: "]")) { return .array(elements) }
        while true {
            skipWhitespace()
            elements.append(try parseValue(depth: depth + 1))
            skipWhitespace()
            if consume(UInt8(ascii: ",")) { continue }
            if consume(UInt8(ascii: "]")) { return .array(elements) }
            throw error("expected ',' or ']' in an array")
        }
    }

    // MARK: - Scalars

    private mutating func parseNumber() throws(Error) -> String {
        let start = position
        _ = consume(UInt8(ascii: "-"))
        if consume(UInt8(ascii: "0")) {
            if let next = peek(), isDigit(next) { throw error("leading zeros are not allowed in numbers") }
        } else {
            guard skipDigits() > 0 else { throw error("expected a digit") }
        }
        if consume(UInt8(ascii: ".")) {
            guard skipDigits() > 0 else { throw error("expected a digit after the decimal point") }
        }
        if consume(UInt8(ascii: "e")) || consume(UInt8(ascii: "E")) {
            if !consume(UInt8(ascii: "+")) { _ = consume(UInt8(ascii: "-")) }
            guard skipDigits() > 0 else { throw error("expected a digit in the exponent") }
        }
        return String(decoding: bytes[start..<position], as: UTF8.self)
    }

    private mutating func parseString() throws(Error) -> String {
        position += 1
        var scalars = String.UnicodeScalarView()
        var runStart = position
        while true {
            guard let byte = peek() else { throw error("unterminated string") }
            switch byte {
            case UInt8(ascii: "\""):
                try appendRun(from: runStart, to: &scalars)
                position += 1
                return String(scalars)
            case UInt8(ascii: "\\"):
                try appendRun(from: runStart, to: &scalars)
                position += 1
                scalars.append(try parseEscape())
                runStart = position
            case 0x00..<0x20:
                throw error("control character in a string must be escaped")
            default:
                position += 1
            }
        }
    }

    /// Appends raw bytes of a string, rejecting invalid UTF-8 rather than replacing it.
    private func appendRun(from start: Int, to scalars: inout String.UnicodeScalarView) throws(Error) {
        guard start < position else { return }
        guard let run = String(validating: bytes[start..<position], as: UTF8.self) else {
            throw Error(offset: start, reason: "string is not valid UTF-8")
        }
        scalars.append(contentsOf: run.unicodeScalars)
    }

    /// Decodes the escape after a backslash. Errors point at the backslash.
    private mutating func parseEscape() throws(Error) -> Unicode.Scalar {
        let start = position - 1
        guard let byte = next() else { throw error("unterminated escape") }
        switch byte {
        case UInt8(ascii: "\""): return "\""
        case UInt8(ascii: "\\"): return "\\"
        case UInt8(ascii: "/"): return "/"
        case UInt8(ascii: "b"): return "\u{08}"
        case UInt8(ascii: "f"): return "\u{0C}"
        case UInt8(ascii: "n"): return "\n"
        case UInt8(ascii: "r"): return "\r"
        case UInt8(ascii: "t"): return "\t"
        case UInt8(ascii: "u"): return try parseUnicodeEscape(start: start)
        default: throw Error(offset: start, reason: "unknown escape")
        }
    }

    private mutating func parseUnicodeEscape(start: Int) throws(Error) -> Unicode.Scalar {
        let unit = try parseHexQuad()
        switch unit {
        case 0xD800...0xDBFF:
            let unpaired = Error(offset: start, reason: "high surrogate without a low surrogate")
            guard consume(UInt8(ascii: "\\")), consume(UInt8(ascii: "u")) else { throw unpaired }
            let low = try parseHexQuad()
            guard (0xDC00...0xDFFF).contains(low) else { throw unpaired }
            let value = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
            return Unicode.Scalar(value)!
        case 0xDC00...0xDFFF:
            throw Error(offset: start, reason: "low surrogate without a high surrogate")
        default:
            return Unicode.Scalar(unit)!
        }
    }

    private mutating func parseHexQuad() throws(Error) -> UInt16 {
        var value: UInt16 = 0
        for _ in 0..<4 {
            guard let byte = next() else { throw error("unterminated \\u escape") }
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw Error(offset: position - 1, reason: "invalid hex digit in a \\u escape")
            }
            value = value << 4 | UInt16(digit)
        }
        return value
    }

    private mutating func expectLiteral(_ literal: String) throws(Error) {
        let expected = Array(literal.utf8)
        guard bytes.count - position >= expected.count,
              bytes[position..<position + expected.count].elementsEqual(expected) else {
            throw error("unexpected character")
        }
        position += expected.count
    }

    // MARK: - Cursor

    private func peek() -> UInt8? { position < bytes.count ? bytes[position] : nil }

    /// Returns the byte at the cursor and moves past it, or returns nil at the end without moving.
    private mutating func next() -> UInt8? {
        guard let byte = peek() else { return nil }
        position += 1
        return byte
    }

    private mutating func consume(_ byte: UInt8) -> Bool {
        guard peek() == byte else { return false }
        position += 1
        return true
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private mutating func skipDigits() -> Int {
        let start = position
        while let byte = peek(), isDigit(byte) { position += 1 }
        return position - start
    }

    private mutating func skipWhitespace() {
        while let byte = peek(), byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { position += 1 }
    }

    private func error(_ reason: String) -> Error { Error(offset: position, reason: reason) }
}
