/// The parser for one `X-Forwarded-For` entry, which reads it as an address and drops any port.
///
/// Accepted forms, with optional spaces or tabs around them:
/// - `192.0.2.39` and `192.0.2.39:38792`
/// - `2001:db8::1`, where an unbracketed entry with two or more colons is always a whole IPv6 address
/// - `[2001:db8::240]` and `[2001:db8::240]:38792`, as in an RFC 3986 authority
///
/// Addresses are parsed as strictly as in policy documents, so `127.1`, `0177.0.0.1`, host names and
/// zone identifiers are invalid. A port must be 1 to 5 decimal digits with a value in 1...65535.
enum ForwardedEntry {
    /// The maximum length in bytes of an entry worth parsing. The longest valid entry,
    /// `[ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255]:65535`, has 53 bytes.
    static let maxBytes = 64

    static func parse(_ entry: Substring) throws(ForwardedEntryError) -> IPAddress {
        let text = trimmingOptionalWhitespace(entry)
        guard !text.isEmpty else { throw .empty }
        guard text.utf8.count <= maxBytes else { throw .tooLong }

        if text.utf8.first == UInt8(ascii: "[") {
            return try parseBracketed(text)
        }

        let colonCount = text.utf8.count { $0 == UInt8(ascii: ":") }
        guard colonCount == 1 else { return try parseAddress(text) }

        // One colon: an IPv4 address and a port.
        let colon = text.utf8.firstIndex(of: UInt8(ascii: ":"))!
        let address = try parseAddress(text[..<colon])
        guard case .v4 = address else { throw .invalid(reason: "expected an IPv4 address before the port") }
        try validatePort(text[text.utf8.index(after: colon)...])
        return address
    }

    /// Parses `[IPv6]` or `[IPv6]:port`.
    private static func parseBracketed(_ text: Substring) throws(ForwardedEntryError) -> IPAddress {
        guard let close = text.utf8.firstIndex(of: UInt8(ascii: "]")) else {
            throw .invalid(reason: "\"[\" without a closing \"]\"")
        }
        let inside = text[text.utf8.index(after: text.startIndex)..<close]
        guard inside.utf8.contains(UInt8(ascii: ":")) else {
            throw .invalid(reason: "brackets may only enclose an IPv6 address")
        }
        let address = try parseAddress(inside)

        let rest = text[text.utf8.index(after: close)...]
        if !rest.isEmpty {
            guard rest.utf8.first == UInt8(ascii: ":") else {
                throw .invalid(reason: "expected \":\" and a port after \"]\"")
            }
            try validatePort(rest[rest.utf8.index(after: rest.startIndex)...])
        }
        return address
    }

    private static func parseAddress(_ text: Substring) throws(ForwardedEntryError) -> IPAddress {
        do {
            return try IPAddress(parsing: text)
        } catch {
            throw .invalidAddress(error)
        }
    }

    private static func validatePort(_ digits: Substring) throws(ForwardedEntryError) {
        let isDecimal = digits.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
        guard !digits.isEmpty, digits.utf8.count <= 5, isDecimal,
              let port = Int(digits), (1...65535).contains(port) else {
            throw .invalidPort(String(digits))
        }
    }

    /// Removes spaces and horizontal tabs, the optional whitespace of RFC 9110 section 5.6.3, from both ends.
    static func trimmingOptionalWhitespace(_ text: Substring) -> Substring {
        let utf8 = text.utf8
        func isWhitespace(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        guard let first = utf8.firstIndex(where: { !isWhitespace($0) }) else { return text[text.endIndex...] }
        let last = utf8.lastIndex(where: { !isWhitespace($0) })!
        return text[first...last]
    }
}

/// Why an `X-Forwarded-For` entry is not an address.
enum ForwardedEntryError: Error, Equatable, Sendable, CustomStringConvertible {
    case empty
    case tooLong
    case invalidAddress(AddressError)
    case invalidPort(String)
    case invalid(reason: String)

    var description: String {
        switch self {
        case .empty:
            "the entry is empty"
        case .tooLong:
            "the entry is longer than \(ForwardedEntry.maxBytes) bytes, so it cannot be an address"
        case .invalidAddress(.ambiguousIPv4):
            "it is an ambiguous IPv4 form, and only four decimal parts without leading zeros are accepted"
        case .invalidAddress(.zoneIdentifier):
            "IPv6 zone identifiers are not accepted"
        case let .invalidAddress(.invalid(_, reason)):
            "it is not an IP address (\(reason))"
        case .invalidAddress:
            "it is not an IP address"
        case let .invalidPort(port):
            "the port \"\(port)\" is not a number in 1...65535"
        case let .invalid(reason):
            reason
        }
    }
}
