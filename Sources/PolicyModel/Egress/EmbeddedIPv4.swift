/// An IPv4 address carried inside an IPv6 address, which a translator or tunnel would deliver to.
struct EmbeddedIPv4: Equatable, Sendable {
    /// The carrying format, as reasons name it: `6to4`, `NAT64`, `Teredo server` …
    let format: String
    let address: UInt32

    /// Returns the IPv4 addresses that `value` carries, in a fixed order. IPv4-mapped addresses are not
    /// listed, because they are decided as IPv4 addresses outright.
    static func extract(from value: UInt128) -> [EmbeddedIPv4] {
        let low32 = UInt32(truncatingIfNeeded: value)

        // ::a.b.c.d, deprecated by RFC 4291 section 2.5.5.1 but still accepted by some stacks.
        if value >> 32 == 0 {
            return [EmbeddedIPv4(format: "IPv4-compatible", address: low32)]
        }
        // 64:ff9b::/96, the NAT64 well-known prefix (RFC 6052 section 2.1).
        if value >> 32 == 0x0064_FF9B_0000_0000_0000_0000 {
            return [EmbeddedIPv4(format: "NAT64", address: low32)]
        }
        // 2002::/16: the 6to4 router's IPv4 address follows the prefix (RFC 3056 section 2).
        if value >> 112 == 0x2002 {
            return [EmbeddedIPv4(format: "6to4", address: UInt32(truncatingIfNeeded: value >> 80))]
        }
        // 2001::/32: the server address follows the prefix, and the client address fills the last
        // 32 bits with every bit inverted (RFC 4380 section 4).
        if value >> 96 == 0x2001_0000 {
            return [
                EmbeddedIPv4(format: "Teredo server", address: UInt32(truncatingIfNeeded: value >> 64)),
                EmbeddedIPv4(format: "Teredo client", address: ~low32),
            ]
        }
        return []
    }
}
