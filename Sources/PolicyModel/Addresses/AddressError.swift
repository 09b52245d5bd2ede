/// Why a piece of text is not an IP address or CIDR block; each case reads as advice to an operator.
public enum AddressError: Error, Equatable, Sendable, CustomStringConvertible {
    case empty
    /// IPv4 in a form other than four decimal parts without leading zeros (`127.1`, `0x7f.0.0.1`,
    /// `010.0.0.1`, `2130706433`). Resolvers read these differently, so they are never guessed at.
    case ambiguousIPv4(String)
    case zoneIdentifier(String)
    case invalid(String, reason: String)
    case prefixLengthOutOfRange(String, maximum: Int)
    /// A block whose address has bits set past the prefix; `canonical` is the block it would cover.
    case hostBitsSet(String, canonical: String)

    public var description: String {
        switch self {
        case .empty:
            "empty entry; remove it or give an address"
        case let .ambiguousIPv4(text):
            "\"\(text)\" is an ambiguous IPv4 form; write four decimal parts without leading zeros, such as 127.0.0.1"
        case let .zoneIdentifier(text):
            "\"\(text)\" carries a zone identifier, which has no meaning beyond one host; remove the %… part"
        case let .invalid(text, reason):
            "\"\(text)\" is not a valid IP address: \(reason)"
        case let .prefixLengthOutOfRange(text, maximum):
            "\"\(text)\" has a prefix length outside 0...\(maximum)"
        case let .hostBitsSet(text, canonical):
            "\"\(text)\" has host bits set past its prefix; write \(canonical) if that block is meant"
        }
    }
}
