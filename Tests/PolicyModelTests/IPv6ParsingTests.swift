import PolicyModel
import Testing

struct IPv6ParsingTests {
    @Test(arguments: [
        ("::", 0 as UInt128),
        ("::1", 1),
        ("1::", 0x0001_0000_0000_0000_0000_0000_0000_0000),
        ("2001:db8::1", 0x2001_0DB8_0000_0000_0000_0000_0000_0001),
        ("2001:0db8:0000:0000:0000:0000:0000:0001", 0x2001_0DB8_0000_0000_0000_0000_0000_0001),
        ("1:2:3:4:5:6:7:8", 0x0001_0002_0003_0004_0005_0006_0007_0008),
        ("2001:DB8::ABCD", 0x2001_0DB8_0000_0000_0000_0000_0000_ABCD),
        ("fe80::1:2", 0xFE80_0000_0000_0000_0000_0000_0001_0002),
        ("::ffff:10.1.2.3", 0x0000_0000_0000_0000_0000_FFFF_0A01_0203),
        ("::FFFF:10.1.2.3", 0x0000_0000_0000_0000_0000_FFFF_0A01_0203),
        ("64:ff9b::192.0.2.1", 0x0064_FF9B_0000_0000_0000_0000_C000_0201),
        ("1:2:3:4:5:6:1.2.3.4", 0x0001_0002_0003_0004_0005_0006_0102_0304),
        ("::1.2.3.4", 0x0000_0000_0000_0000_0000_0000_0102_0304),
    ])
    func textParsesToValue(text: String, value: UInt128) throws {
        #expect(try address(text) == .v6(value))
    }

    /// In RFC 4291 section 2.2, "::" represents one or more zero groups, so it may replace a single
    /// group. RFC 5952 section 4.2.2 only forbids writing it that way.
    @Test(arguments: [
        ("1:2:3:4:5:6::8", 0x0001_0002_0003_0004_0005_0006_0000_0008 as UInt128),
        ("::2:3:4:5:6:7:8", 0x0000_0002_0003_0004_0005_0006_0007_0008),
        ("1:2:3:4:5:6:7::", 0x0001_0002_0003_0004_0005_0006_0007_0000),
        ("::2:3:4:5:6:1.2.3.4", 0x0000_0002_0003_0004_0005_0006_0102_0304),
    ])
    func doubleColonMayReplaceOneGroup(text: String, value: UInt128) throws {
        #expect(try address(text) == .v6(value))
    }

    @Test(arguments: [
        ":::", "1::2::3", "::1::", "1:::2",
        "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7",
        // Eight explicit groups leave no zero group for "::" to represent.
        "1:2:3:4:5:6:7::8", "::1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8::",
        "12345::", "::12345", "2001:db8::00001",
        ":", ":1::", "1:", "1::2:", ":1:2:3:4:5:6:7:8",
        "::g", "2001:db8::x", "::-1", "[::1]", " ::1", "::1 ",
        "::ffff:1.2.3", "::ffff:256.1.2.3", "::ffff:1.2.3.4.5", "::1.2.3.4:5", "1.2.3.4::",
        "1:2:3:4:5:6:7:1.2.3.4",
    ])
    func malformedTextIsRejected(text: String) {
        #expect(throws: AddressError.self) { try IPAddress(parsing: text) }
    }

    @Test(arguments: ["fe80::1%eth0", "fe80::1%25eth0", "fe80::1%1", "10.0.0.1%eth0"])
    func zoneIdentifierIsRejected(text: String) {
        #expect(throws: AddressError.zoneIdentifier(text)) { try IPAddress(parsing: text) }
    }

    @Test func embeddedIPv4WithLeadingZeroIsAmbiguous() {
        #expect(throws: AddressError.ambiguousIPv4("::ffff:010.1.2.3")) {
            try IPAddress(parsing: "::ffff:010.1.2.3")
        }
    }

    @Test func mappedAddressUnmapsToIPv4() throws {
        let mapped = try address("::ffff:10.1.2.3")
        #expect(mapped.unmapped == .v4(0x0A01_0203))
        #expect(mapped.bitWidth == 128)
    }

    /// Only `::ffff:0:0/96` is IPv4-mapped. NAT64 and the deprecated IPv4-compatible form stay IPv6.
    @Test(arguments: ["64:ff9b::192.0.2.1", "::10.1.2.3", "::1", "::", "::fffe:10.1.2.3", "1::ffff:10.1.2.3"])
    func otherIPv6StaysIPv6WhenUnmapped(text: String) throws {
        let ipv6 = try address(text)
        #expect(ipv6.unmapped == ipv6)
    }

    @Test func ipv4SortsBeforeIPv6() throws {
        let sorted = try ["::1", "255.255.255.255", "::", "0.0.0.0"].map(address).sorted()
        #expect(sorted.map(\.description) == ["0.0.0.0", "255.255.255.255", "::", "::1"])
    }
}
