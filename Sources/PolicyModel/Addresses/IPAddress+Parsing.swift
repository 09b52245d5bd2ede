extension IPAddress {
    /// Parses an IPv4 address in strict dotted decimal or an IPv6 address in RFC 4291 section 2.2 text.
    ///
    /// Refused on purpose: IPv4 parts with leading zeros, fewer than four parts, hex or integer forms
    /// (`inet_aton` reads `010` as octal and `127.1` as 127.0.0.1, other parsers do not), and IPv6 zone
    /// identifiers.
    public init(parsing text: some StringProtocol) throws(AddressError) {
        let text = String(text)
        guard !text.isEmpty else { throw .empty }
        if text.contains("%") { throw .zoneIdentifier(text) }
        if text.contains(":") {
            self = .v6(try IPAddress.parseIPv6(text))
        } else {
            self = .v4(try IPAddress.parseIPv4(text, whole: text))
        }
    }

    // MARK: - IPv4

    static func parseIPv4(_ text: Substring.UTF8View, whole: String) throws(AddressError) -> UInt32 {
        let parts = text.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        // Text that starts with a digit is some resolver's idea of an IPv4 address, so name it ambiguous.
        let looksNumeric = text.first.map { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") } ?? false
        guard parts.count <= 4 else { throw .invalid(whole, reason: "more than four parts") }
        guard parts.count == 4 else {
            throw looksNumeric ? .ambiguousIPv4(whole) : .invalid(whole, reason: "expected four decimal parts")
        }
        var value: UInt32 = 0
        for part in parts {
            guard !part.isEmpty, part.count <= 3 else {
                throw looksNumeric ? .ambiguousIPv4(whole) : .invalid(whole, reason: "expected four decimal parts")
            }
            guard part.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
                throw looksNumeric ? .ambiguousIPv4(whole) : .invalid(whole, reason: "expected four decimal parts")
            }
            if part.count > 1, part.first == UInt8(ascii: "0") { throw .ambiguousIPv4(whole) }
            let octet = part.reduce(0) { $0 * 10 + UInt32($1 - UInt8(ascii: "0")) }
            guard octet <= 255 else { throw .invalid(whole, reason: "part \(octet) is greater than 255") }
            value = value << 8 | octet
        }
        return value
    }

    static func parseIPv4(_ text: String, whole: String) throws(AddressError) -> UInt32 {
        try parseIPv4(Substring(text).utf8, whole: whole)
    }

    // MARK: - IPv6

    static func parseIPv6(_ text: String) throws(AddressError) -> UInt128 {
        let head: Substring
        let tail: Substring?
        if let gap = text.indices.first(where: { text[$0...].hasPrefix("::") }) {
            head = text[..<gap]
            tail = text[text.index(gap, offsetBy: 2)...]
        } else {
            head = Substring(text)
            tail = nil
        }
        if let tail, tail.contains("::") { throw .invalid(text, reason: "more than one \"::\"") }
        if head.hasSuffix(":") || tail?.hasPrefix(":") == true { throw .invalid(text, reason: "\":::\" is not valid") }

        // The dotted IPv4 form may only end the address (RFC 4291 section 2.2, form 3).
        let headGroups = try parseGroups(head, whole: text, mayEndInIPv4: tail == nil)
        let tailGroups = try tail.map { (tail) throws(AddressError) in try parseGroups(tail, whole: text, mayEndInIPv4: true) } ?? []

        let count = headGroups.count + tailGroups.count
        if tail != nil {
            guard count <= 7 else { throw .invalid(text, reason: "\"::\" must stand for at least one group") }
        } else {
            guard count == 8 else { throw .invalid(text, reason: "expected eight groups") }
        }
        let groups = headGroups + Array(repeating: 0, count: 8 - count) + tailGroups
        return groups.reduce(UInt128(0)) { $0 << 16 | UInt128($1) }
    }

    /// Parses colon-separated groups on one side of "::"; an empty side has no groups.
    private static func parseGroups(_ side: Substring, whole: String, mayEndInIPv4: Bool) throws(AddressError) -> [UInt16] {
        guard !side.isEmpty else { return [] }
        let pieces = side.split(separator: ":", omittingEmptySubsequences: false)
        var groups: [UInt16] = []
        for (index, piece) in pieces.enumerated() {
            if piece.contains("."), mayEndInIPv4, index == pieces.count - 1 {
                let v4 = try parseIPv4(piece, whole: whole)
                groups += [UInt16(v4 >> 16), UInt16(v4 & 0xFFFF)]
                continue
            }
            guard !piece.isEmpty else { throw .invalid(whole, reason: "empty group") }
            guard piece.utf8.count <= 4, piece.utf8.allSatisfy(isHexDigit) else {
                throw .invalid(whole, reason: "groups are one to four hex digits")
            }
            groups.append(piece.utf8.reduce(UInt16(0)) { $0 << 4 | UInt16(hexValue($1)) })
        }
        return groups
    }

    private static func parseIPv4(_ text: Substring, whole: String) throws(AddressError) -> UInt32 {
        try parseIPv4(text.utf8, whole: whole)
    }
}

func isHexDigit(_ byte: UInt8) -> Bool {
    (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
        || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "f"))
        || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "F"))
}

func hexValue(_ byte: UInt8) -> UInt8 {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
    default: byte - UInt8(ascii: "A") + 10
    }
}
