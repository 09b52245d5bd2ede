/// An address block: a network address and a prefix length, with no bits set past the prefix.
public struct CIDRBlock: Hashable, Sendable {
    public let network: IPAddress
    public let prefixLength: Int

    /// Makes a block, refusing host bits rather than clearing them, so a typo never widens a rule.
    ///
    /// An IPv4-mapped network with a prefix of 96 or more becomes the IPv4 block it covers, as in `init(parsing:)`.
    public init(network: IPAddress, prefixLength: Int) throws(AddressError) {
        try self.init(checking: network, prefixLength: prefixLength, entry: "\(network)/\(prefixLength)")
    }

    /// Parses `address/prefix`, or a bare address as a block of that one address.
    ///
    /// IPv4-mapped IPv6 blocks (`::ffff:10.0.0.0/104`) become the IPv4 block they cover, so each
    /// set of addresses has one canonical spelling.
    public init(parsing text: some StringProtocol) throws(AddressError) {
        let text = String(text)
        guard !text.isEmpty else { throw .empty }
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        let address = try IPAddress(parsing: parts[0])
        var prefixLength = address.bitWidth

        if parts.count == 2 {
            let digits = parts[1].utf8
            guard !digits.isEmpty, digits.count <= 3,
                  digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
                  digits.count == 1 || digits.first != UInt8(ascii: "0") else {
                throw .invalid(text, reason: "the prefix length must be a decimal number without leading zeros")
            }
            prefixLength = Int(parts[1])!
        }
        try self.init(checking: address, prefixLength: prefixLength, entry: text)
    }

    /// Checks the prefix length, turns an IPv4-mapped block into IPv4 and rejects host bits.
    /// Errors name `entry`, the block as the caller wrote it.
    private init(checking address: IPAddress, prefixLength: Int, entry: String) throws(AddressError) {
        guard prefixLength >= 0, prefixLength <= address.bitWidth else {
            throw .prefixLengthOutOfRange(entry, maximum: address.bitWidth)
        }

        var address = address
        var prefixLength = prefixLength
        if case let .v6(value) = address, value >> 32 == 0xFFFF, prefixLength >= 96 {
            address = .v4(UInt32(truncatingIfNeeded: value))
            prefixLength -= 96
        }

        let masked = CIDRBlock.masked(address, prefixLength: prefixLength)
        guard masked == address else {
            throw .hostBitsSet(entry, canonical: "\(masked)/\(prefixLength)")
        }
        self.network = address
        self.prefixLength = prefixLength
    }

    /// Whether the block covers `address`, compared by value (an IPv4-mapped IPv6 address counts as IPv4).
    public func contains(_ address: IPAddress) -> Bool {
        let address = address.unmapped
        switch (network, address) {
        case (.v4, .v4), (.v6, .v6):
            return CIDRBlock.masked(address, prefixLength: prefixLength) == network
        default:
            return false
        }
    }

    static func masked(_ address: IPAddress, prefixLength: Int) -> IPAddress {
        switch address {
        case let .v4(value):
            let mask: UInt32 = prefixLength == 0 ? 0 : ~UInt32(0) << (32 - prefixLength)
            return .v4(value & mask)
        case let .v6(value):
            let mask: UInt128 = prefixLength == 0 ? 0 : ~UInt128(0) << (128 - prefixLength)
            return .v6(value & mask)
        }
    }
}

extension CIDRBlock: CustomStringConvertible {
    /// The canonical spelling, always with the prefix length: `10.0.0.0/8`, `2001:db8::/48`, `128.0.0.1/32`.
    public var description: String { "\(network)/\(prefixLength)" }
}

extension CIDRBlock: Comparable {
    public static func < (lhs: CIDRBlock, rhs: CIDRBlock) -> Bool {
        lhs.network != rhs.network ? lhs.network < rhs.network : lhs.prefixLength < rhs.prefixLength
    }
}
