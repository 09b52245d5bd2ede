/// An IPv4 or IPv6 address, held as its numeric value so that comparisons never depend on spelling.
public enum IPAddress: Hashable, Sendable {
    case v4(UInt32)
    case v6(UInt128)

    /// The number of bits in an address of this family.
    public var bitWidth: Int {
        switch self {
        case .v4: 32
        case .v6: 128
        }
    }

    /// The address with an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`, RFC 4291 section 2.5.5.2)
    /// replaced by the IPv4 address it carries; every other address unchanged.
    ///
    /// A dual-stack socket reports IPv4 peers in the mapped form, so policy lookups compare this value.
    public var unmapped: IPAddress {
        guard case let .v6(value) = self, value >> 32 == 0xFFFF else { return self }
        return .v4(UInt32(truncatingIfNeeded: value))
    }
}

extension IPAddress: CustomStringConvertible {
    /// The canonical text: dotted decimal for IPv4, RFC 5952 for IPv6.
    public var description: String {
        switch self {
        case let .v4(value):
            return IPAddress.dottedDecimal(value)
        case let .v6(value):
            return IPAddress.rfc5952Text(value)
        }
    }

    static func dottedDecimal(_ value: UInt32) -> String {
        "\(value >> 24).\(value >> 16 & 0xFF).\(value >> 8 & 0xFF).\(value & 0xFF)"
    }

    /// Lower-case groups without leading zeros, the longest run of two or more zero groups (the first
    /// on a tie) compressed to `::`, and IPv4-mapped addresses ending in dotted decimal (RFC 5952 section 5).
    static func rfc5952Text(_ value: UInt128) -> String {
        if value >> 32 == 0xFFFF {
            return "::ffff:" + dottedDecimal(UInt32(truncatingIfNeeded: value))
        }
        let groups = (0..<8).map { UInt16(truncatingIfNeeded: value >> (112 - 16 * $0)) }

        var bestStart = -1
        var bestLength = 1
        var index = 0
        while index < 8 {
            guard groups[index] == 0 else {
                index += 1
                continue
            }
            let start = index
            while index < 8, groups[index] == 0 { index += 1 }
            if index - start > bestLength {
                bestStart = start
                bestLength = index - start
            }
        }

        let hex = groups.map { String($0, radix: 16) }
        guard bestStart >= 0 else { return hex.joined(separator: ":") }
        let head = hex[..<bestStart].joined(separator: ":")
        let tail = hex[(bestStart + bestLength)...].joined(separator: ":")
        return head + "::" + tail
    }
}

extension IPAddress: Comparable {
    /// Orders IPv4 before IPv6, then by numeric value.
    public static func < (lhs: IPAddress, rhs: IPAddress) -> Bool {
        switch (lhs, rhs) {
        case let (.v4(a), .v4(b)): a < b
        case let (.v6(a), .v6(b)): a < b
        case (.v4, .v6): true
        case (.v6, .v4): false
        }
    }
}
