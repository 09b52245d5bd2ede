/// The destination of an `http` or `https` URL: the host as rules see it and the port.
///
/// Stricter than browsers on purpose, because a URL that two parsers read differently is how requests
/// are smuggled past egress checks: whitespace, control characters, backslashes in the authority and
/// user information are all rejected rather than repaired.
struct EgressURL: Equatable, Sendable {
    /// For a bracketed host, the text between the brackets; otherwise the host percent-decoded,
    /// lower-cased and without a trailing dot.
    let host: String
    let isBracketed: Bool
    let port: Int

    init(parsing text: String) throws(EgressURLError) {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty else { throw .empty }
        guard bytes.allSatisfy({ $0 > 0x20 && $0 != 0x7F }) else { throw .whitespaceOrControl }

        // scheme ":" "//" authority, where the authority ends at the path, query or fragment.
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")), EgressURL.isScheme(bytes[..<colon]) else {
            throw .missingScheme
        }
        let scheme = String(decoding: bytes[..<colon], as: UTF8.self)
        let defaultPort: Int
        switch scheme.lowercased() {
        case "http": defaultPort = 80
        case "https": defaultPort = 443
        default: throw .schemeNotAllowed(scheme)
        }
        guard bytes[(colon + 1)...].starts(with: "//".utf8) else { throw .missingAuthority }
        let authorityStart = colon + 3
        let authorityEnd = bytes[authorityStart...].firstIndex { "/?#".utf8.contains($0) } ?? bytes.endIndex
        let authority = bytes[authorityStart..<authorityEnd]
        guard !authority.contains(UInt8(ascii: "\\")) else { throw .backslashInAuthority }
        guard !authority.contains(UInt8(ascii: "@")) else { throw .userInformation }

        let hostBytes: ArraySlice<UInt8>
        let portBytes: ArraySlice<UInt8>?
        if authority.first == UInt8(ascii: "[") {
            guard let close = authority.firstIndex(of: UInt8(ascii: "]")) else { throw .unclosedBracket }
            hostBytes = authority[(authority.startIndex + 1)..<close]
            let rest = authority[(close + 1)...]
            guard rest.isEmpty || rest.first == UInt8(ascii: ":") else { throw .textAfterBracket }
            portBytes = rest.isEmpty ? nil : rest.dropFirst()
            // IPvFuture literals (RFC 3986 section 3.2.2) start with "v".
            guard hostBytes.first != UInt8(ascii: "v"), hostBytes.first != UInt8(ascii: "V") else { throw .futureIPLiteral }
            self.host = String(decoding: hostBytes, as: UTF8.self)
            self.isBracketed = true
        } else {
            if let lastColon = authority.lastIndex(of: UInt8(ascii: ":")) {
                hostBytes = authority[..<lastColon]
                portBytes = authority[(lastColon + 1)...]
            } else {
                hostBytes = authority
                portBytes = nil
            }
            guard !hostBytes.contains(UInt8(ascii: ":")) else { throw .unbracketedIPv6 }
            let decoded = try EgressURL.percentDecoded(hostBytes)
            // Percent-encoding must not smuggle in an IPv6 host that the brackets rule would have caught.
            guard !decoded.contains(UInt8(ascii: ":")) else { throw .unbracketedIPv6 }
            guard let decodedText = String(validating: decoded, as: UTF8.self) else { throw .invalidUTF8 }
            self.host = EgressHostName.canonical(decodedText)
            self.isBracketed = false
        }
        guard !host.isEmpty else { throw .emptyHost }

        if let portBytes {
            self.port = try EgressURL.port(portBytes)
        } else {
            self.port = defaultPort
        }
    }

    /// RFC 3986 section 3.1: a letter, then letters, digits, `+`, `-` or `.`.
    private static func isScheme(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard let first = bytes.first, isLetter(first) else { return false }
        return bytes.allSatisfy { isLetter($0) || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || "+-.".utf8.contains($0) }
    }

    private static func isLetter(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
    }

    /// Decimal digits only, at most five of them, with a value from 1 to 65535.
    private static func port(_ bytes: ArraySlice<UInt8>) throws(EgressURLError) -> Int {
        let text = String(decoding: bytes, as: UTF8.self)
        guard !bytes.isEmpty, bytes.count <= 5,
              bytes.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            throw .invalidPort(text)
        }
        let value = bytes.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
        guard (1...65535).contains(value) else { throw .invalidPort(text) }
        return value
    }

    private static func percentDecoded(_ bytes: ArraySlice<UInt8>) throws(EgressURLError) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            guard byte == UInt8(ascii: "%") else {
                output.append(byte)
                index += 1
                continue
            }
            guard index + 2 < bytes.endIndex, isHexDigit(bytes[index + 1]), isHexDigit(bytes[index + 2]) else {
                throw .invalidPercentEncoding
            }
            output.append(hexValue(bytes[index + 1]) << 4 | hexValue(bytes[index + 2]))
            index += 3
        }
        return output
    }
}

/// A reason that a URL names no destination that egress rules can check.
enum EgressURLError: Error, Equatable, Sendable, CustomStringConvertible {
    case empty
    case whitespaceOrControl
    case missingScheme
    case schemeNotAllowed(String)
    case missingAuthority
    case backslashInAuthority
    case userInformation
    case unclosedBracket
    case textAfterBracket
    case futureIPLiteral
    case unbracketedIPv6
    case invalidPercentEncoding
    case invalidUTF8
    case emptyHost
    case invalidPort(String)

    var description: String {
        switch self {
        case .empty:
            "empty URL"
        case .whitespaceOrControl:
            "the URL contains whitespace or control characters; percent-encode them or remove them"
        case .missingScheme:
            "the URL has no scheme; write http:// or https:// before the host"
        case let .schemeNotAllowed(scheme):
            "the scheme \"\(scheme)\" is not allowed; only http and https are"
        case .missingAuthority:
            "the URL has no \"//\" and host after the scheme"
        case .backslashInAuthority:
            "the host part contains a backslash, which browsers read as \"/\" and other parsers do not"
        case .userInformation:
            "the URL carries user information (\"@\" before the host), which parsers split differently; "
                + "remove it and send credentials in a header"
        case .unclosedBracket:
            "the IPv6 host has no closing \"]\""
        case .textAfterBracket:
            "only \":port\" may follow the \"]\" of an IPv6 host"
        case .futureIPLiteral:
            "IPvFuture hosts ([v…]) are not supported; write an IPv6 address or a host name"
        case .unbracketedIPv6:
            "the host contains \":\"; an IPv6 host must be written in brackets, such as http://[2001:db8::1]/"
        case .invalidPercentEncoding:
            "the host contains \"%\" that is not followed by two hex digits"
        case .invalidUTF8:
            "the percent-decoded host is not valid UTF-8"
        case .emptyHost:
            "the URL has an empty host"
        case let .invalidPort(text):
            "the port \"\(text)\" is not a number from 1 to 65535"
        }
    }
}
