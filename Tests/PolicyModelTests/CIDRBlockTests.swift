import PolicyModel
import Testing

struct CIDRBlockTests {
    // MARK: - Parsing

    @Test(arguments: [
        ("128.0.0.1", "128.0.0.1/32"),
        ("10.0.0.0/8", "10.0.0.0/8"),
        ("192.168.0.0/31", "192.168.0.0/31"),
        ("0.0.0.0/0", "0.0.0.0/0"),
        ("255.255.255.255/32", "255.255.255.255/32"),
        ("::", "::/128"),
        ("2001:db8::1", "2001:db8::1/128"),
        ("2001:DB8::/32", "2001:db8::/32"),
        ("::/0", "::/0"),
        ("fe80::/10", "fe80::/10"),
    ])
    func blockParsesToCanonicalText(text: String, canonical: String) throws {
        #expect(try block(text).description == canonical)
    }

    @Test func bareAddressIsSingleAddressBlock() throws {
        let ipv4 = try block("10.1.2.3")
        #expect(ipv4.network == .v4(0x0A01_0203))
        #expect(ipv4.prefixLength == 32)

        let ipv6 = try block("2001:db8::1")
        #expect(ipv6.prefixLength == 128)
    }

    @Test(arguments: [
        ("192.168.0.1/24", "192.168.0.0/24"),
        ("192.0.2.77/24", "192.0.2.0/24"),
        ("10.0.0.1/0", "0.0.0.0/0"),
        ("2001:db8::1/32", "2001:db8::/32"),
        ("::1/0", "::/0"),
        ("::ffff:10.0.0.1/104", "10.0.0.0/8"),
    ])
    func hostBitsAreRejectedWithCanonicalBlock(text: String, canonical: String) {
        #expect(throws: AddressError.hostBitsSet(text, canonical: canonical)) { try CIDRBlock(parsing: text) }
    }

    @Test func hostBitsErrorNamesEntryAndCanonicalBlock() {
        let error = #expect(throws: AddressError.self) { try CIDRBlock(parsing: "192.168.0.1/24") }
        let message = error?.description ?? ""
        #expect(message.contains("192.168.0.1/24"))
        #expect(message.contains("192.168.0.0/24"))
    }

    @Test(arguments: [
        ("10.0.0.0/33", 32),
        ("10.0.0.0/999", 32),
        ("::/129", 128),
        ("::ffff:10.0.0.0/129", 128),
    ])
    func prefixLengthBeyondFamilyIsRejected(text: String, maximum: Int) {
        #expect(throws: AddressError.prefixLengthOutOfRange(text, maximum: maximum)) { try CIDRBlock(parsing: text) }
    }

    @Test(arguments: [
        "10.0.0.0/08", "10.0.0.0/00", "10.0.0.0/", "10.0.0.0/a", "10.0.0.0/+8", "10.0.0.0/-1",
        "10.0.0.0/ 8", "10.0.0.0/8 ", "10.0.0.0/8/8", "10.0.0.0/1000", "10.0.0.0/0x8", "::/1e2",
    ])
    func malformedPrefixLengthIsRejected(text: String) {
        let error = #expect(throws: AddressError.self) { try CIDRBlock(parsing: text) }
        guard case let .invalid(echoed, _) = error else {
            Issue.record("expected .invalid, got \(String(describing: error))")
            return
        }
        #expect(echoed == text)
    }

    @Test(arguments: ["", "/8", "127.1/32", "0177.0.0.1/8", "fe80::%eth0/64", "example.com/24", "10.0.0.0.0/8"])
    func malformedAddressPartIsRejected(text: String) {
        #expect(throws: AddressError.self) { try CIDRBlock(parsing: text) }
    }

    @Test func prefixLengthIsCheckedBeforeHostBits() {
        #expect(throws: AddressError.prefixLengthOutOfRange("192.168.0.1/33", maximum: 32)) {
            try CIDRBlock(parsing: "192.168.0.1/33")
        }
    }

    // MARK: - IPv4-mapped blocks

    @Test(arguments: [
        ("::ffff:10.0.0.0/104", "10.0.0.0/8"),
        ("::ffff:10.1.2.3", "10.1.2.3/32"),
        ("::ffff:10.1.2.3/128", "10.1.2.3/32"),
        ("::ffff:0:0/96", "0.0.0.0/0"),
        ("::FFFF:192.168.0.0/112", "192.168.0.0/16"),
    ])
    func mappedBlockBecomesIPv4Block(text: String, canonical: String) throws {
        let mapped = try block(text)
        #expect(mapped.description == canonical)
        #expect(mapped == (try block(canonical)))
    }

    @Test func mappedNetworkWithShortPrefixIsRejected() {
        // Below /96 the "ffff" group lies past the prefix, so these are host bits.
        #expect(throws: AddressError.self) { try CIDRBlock(parsing: "::ffff:0:0/80") }
    }

    @Test func initializerRejectsHostBits() {
        #expect(throws: AddressError.hostBitsSet("10.0.0.1/8", canonical: "10.0.0.0/8")) {
            try CIDRBlock(network: .v4(0x0A00_0001), prefixLength: 8)
        }
    }

    @Test(arguments: [-1, 33])
    func initializerRejectsPrefixLengthOutsideFamily(prefixLength: Int) {
        #expect(throws: AddressError.prefixLengthOutOfRange("10.0.0.0/\(prefixLength)", maximum: 32)) {
            try CIDRBlock(network: .v4(0x0A00_0000), prefixLength: prefixLength)
        }
    }

    @Test func initializerTurnsMappedNetworkIntoIPv4() throws {
        let mapped = try CIDRBlock(network: address("::ffff:10.0.0.0"), prefixLength: 104)
        #expect(mapped == (try block("10.0.0.0/8")))
        #expect(mapped.contains(try address("10.1.2.3")))
    }

    // MARK: - Membership

    @Test(arguments: [
        ("10.0.0.0/8", "10.0.0.0"),
        ("10.0.0.0/8", "10.255.255.255"),
        ("10.0.0.0/8", "::ffff:10.1.2.3"),
        ("::ffff:10.0.0.0/104", "10.1.2.3"),
        ("192.168.0.0/31", "192.168.0.1"),
        ("128.0.0.1", "128.0.0.1"),
        ("0.0.0.0/0", "203.0.113.9"),
        ("0.0.0.0/0", "::ffff:203.0.113.9"),
        ("2001:db8::/32", "2001:db8:ffff::1"),
        ("2001:db8::/32", "2001:DB8:0:0:0:0:0:0"),
        ("::/0", "2001:db8::1"),
        ("fe80::/10", "febf::1"),
    ])
    func blockContainsAddress(blockText: String, addressText: String) throws {
        #expect(try block(blockText).contains(address(addressText)))
    }

    @Test(arguments: [
        ("10.0.0.0/8", "11.0.0.0"),
        ("10.0.0.0/8", "9.255.255.255"),
        ("192.168.0.0/31", "192.168.0.2"),
        ("128.0.0.1", "128.0.0.2"),
        // IPv4-compatible and NAT64 addresses are IPv6 values, not IPv4 ones.
        ("10.0.0.0/8", "::10.1.2.3"),
        ("10.0.0.0/8", "64:ff9b::10.1.2.3"),
        ("0.0.0.0/0", "::1"),
        ("2001:db8::/32", "2001:db9::"),
        ("fe80::/10", "fec0::1"),
        ("::/0", "10.0.0.1"),
        // A mapped address is the IPv4 address it carries, so an IPv6 block does not cover it.
        ("::/0", "::ffff:10.0.0.1"),
        ("::/80", "::ffff:10.0.0.1"),
    ])
    func blockDoesNotContainAddress(blockText: String, addressText: String) throws {
        #expect(try !block(blockText).contains(address(addressText)))
    }

    // MARK: - Order

    @Test func blocksSortByFamilyNetworkThenPrefix() throws {
        let texts = ["::/0", "10.0.0.0/16", "10.0.0.0/8", "2001:db8::/32", "9.0.0.0/8"]
        let sorted = try texts.map(block).sorted()
        #expect(sorted.map(\.description) == ["9.0.0.0/8", "10.0.0.0/8", "10.0.0.0/16", "::/0", "2001:db8::/32"])
    }
}
