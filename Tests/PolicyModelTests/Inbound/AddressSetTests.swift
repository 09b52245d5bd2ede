@testable import PolicyModel
import Testing

struct AddressSetTests {
    static let nested = ["10.0.0.0/8", "10.1.0.0/16", "10.1.2.0/24", "10.1.2.3/32", "192.0.2.0/24"]

    @Test(arguments: [
        ("10.0.0.1", "10.0.0.0/8"),
        ("10.255.255.255", "10.0.0.0/8"),
        ("10.1.0.0", "10.1.0.0/16"),
        ("10.1.255.255", "10.1.0.0/16"),
        ("10.1.3.0", "10.1.0.0/16"),
        ("10.1.2.0", "10.1.2.0/24"),
        ("10.1.2.2", "10.1.2.0/24"),
        ("10.1.2.3", "10.1.2.3/32"),
        ("10.1.2.4", "10.1.2.0/24"),
        ("10.2.0.0", "10.0.0.0/8"),
        ("192.0.2.200", "192.0.2.0/24"),
    ])
    func overlappingBlocksGiveLongestMatch(address: String, expected: String) throws {
        let set = AddressSet(try Fixture.blocks(Self.nested))
        #expect(set.longestMatch(try Fixture.address(address)) == (try Fixture.block(expected)))
    }

    @Test(arguments: ["9.255.255.255", "11.0.0.0", "192.0.1.255", "192.0.3.0", "0.0.0.0", "255.255.255.255", "::",
                      "::a00:1"])
    func addressOutsideEveryBlockHasNoMatch(address: String) throws {
        let set = AddressSet(try Fixture.blocks(Self.nested))
        #expect(set.longestMatch(try Fixture.address(address)) == nil)
        #expect(!set.contains(try Fixture.address(address)))
    }

    @Test func ipv4ZeroBlockCoversOnlyIPv4() throws {
        let set = AddressSet(try Fixture.blocks(["0.0.0.0/0", "10.0.0.0/8"]))
        #expect(set.longestMatch(try Fixture.address("0.0.0.0")) == (try Fixture.block("0.0.0.0/0")))
        #expect(set.longestMatch(try Fixture.address("255.255.255.255")) == (try Fixture.block("0.0.0.0/0")))
        #expect(set.longestMatch(try Fixture.address("10.9.9.9")) == (try Fixture.block("10.0.0.0/8")))
        #expect(set.longestMatch(try Fixture.address("11.0.0.0")) == (try Fixture.block("0.0.0.0/0")))
        #expect(set.longestMatch(try Fixture.address("2001:db8::1")) == nil)
    }

    @Test func ipv6ZeroBlockCoversOnlyIPv6() throws {
        let set = AddressSet(try Fixture.blocks(["::/0", "2001:db8::/32"]))
        #expect(set.longestMatch(try Fixture.address("::")) == (try Fixture.block("::/0")))
        #expect(set.longestMatch(try Fixture.address("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"))
            == (try Fixture.block("::/0")))
        #expect(set.longestMatch(try Fixture.address("2001:db8:ffff::1")) == (try Fixture.block("2001:db8::/32")))
        #expect(set.longestMatch(try Fixture.address("10.1.2.3")) == nil)
    }

    @Test func mappedAddressIsNotInIPv6ZeroBlock() throws {
        // Compared by value, ::ffff:10.1.2.3 is the IPv4 address 10.1.2.3, which no IPv6 block contains.
        let set = AddressSet(try Fixture.blocks(["::/0"]))
        #expect(set.longestMatch(try Fixture.address("::ffff:10.1.2.3")) == nil)
    }

    @Test(arguments: [
        ("2001:db8::1", "2001:db8::/32"),
        ("2001:db8:1::", "2001:db8:1::/48"),
        ("2001:db8:1:2::5", "2001:db8:1:2::/64"),
        ("2001:db8:1:2::ff", "2001:db8:1:2::ff/128"),
        ("2001:db8:1:3::", "2001:db8:1::/48"),
        ("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", "2001:db8::/32"),
        ("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128"),
    ])
    func ipv6BlocksGiveLongestMatch(address: String, expected: String) throws {
        let set = AddressSet(try Fixture.blocks([
            "2001:db8::/32", "2001:db8:1::/48", "2001:db8:1:2::/64", "2001:db8:1:2::ff/128",
            "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128",
        ]))
        #expect(set.longestMatch(try Fixture.address(address)) == (try Fixture.block(expected)))
    }

    @Test(arguments: ["2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", "2001:db9::", "::1",
                      "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe"])
    func ipv6AddressOutsideBlocksHasNoMatch(address: String) throws {
        let set = AddressSet(try Fixture.blocks(["2001:db8::/32", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128"]))
        #expect(set.longestMatch(try Fixture.address(address)) == nil)
    }

    @Test(arguments: [
        ("::ffff:10.1.2.3", "10.0.0.0/8"),
        ("::ffff:192.0.2.9", "192.0.2.0/24"),
        ("::ffff:a01:203", "10.0.0.0/8"),
    ])
    func mappedAddressMatchesIPv4Block(address: String, expected: String) throws {
        let set = AddressSet(try Fixture.blocks(["10.0.0.0/8", "192.0.2.0/24", "2001:db8::/32"]))
        #expect(set.longestMatch(try Fixture.address(address)) == (try Fixture.block(expected)))
        #expect(set.contains(try Fixture.address(address)))
    }

    @Test func mappedBlockMatchesPlainIPv4Address() throws {
        let set = AddressSet(try Fixture.blocks(["::ffff:10.0.0.0/104"]))
        #expect(set.longestMatch(try Fixture.address("10.200.0.1")) == (try Fixture.block("10.0.0.0/8")))
    }

    @Test func emptySetContainsNothing() throws {
        let set = AddressSet([])
        #expect(set.isEmpty)
        #expect(!set.contains(try Fixture.address("10.0.0.1")))
        #expect(!set.contains(try Fixture.address("::")))
    }

    @Test func duplicateBlocksAreStoredOnce() throws {
        let set = AddressSet(try Fixture.blocks(["10.0.0.0/8", "10.0.0.0/8", "192.0.2.1", "192.0.2.1/32"]))
        #expect(set.blocks == (try Fixture.blocks(["10.0.0.0/8", "192.0.2.1/32"])))
        #expect(set.longestMatch(try Fixture.address("192.0.2.1")) == (try Fixture.block("192.0.2.1/32")))
    }

    @Test func adjacentBlocksKeepTheirBoundary() throws {
        let set = AddressSet(try Fixture.blocks(["10.0.0.0/9", "10.128.0.0/9", "10.0.0.0/8"]))
        #expect(set.longestMatch(try Fixture.address("10.127.255.255")) == (try Fixture.block("10.0.0.0/9")))
        #expect(set.longestMatch(try Fixture.address("10.128.0.0")) == (try Fixture.block("10.128.0.0/9")))
        #expect(set.longestMatch(try Fixture.address("11.0.0.0")) == nil)
    }

    @Test func blocksEndingTogetherReopenNoGap() throws {
        // 10.255.0.0/16 ends where 10.0.0.0/8 ends, so the next address is outside both.
        let set = AddressSet(try Fixture.blocks(["10.0.0.0/8", "10.255.0.0/16", "10.255.255.0/24"]))
        #expect(set.longestMatch(try Fixture.address("10.255.254.255")) == (try Fixture.block("10.255.0.0/16")))
        #expect(set.longestMatch(try Fixture.address("10.255.255.255")) == (try Fixture.block("10.255.255.0/24")))
        #expect(set.longestMatch(try Fixture.address("11.0.0.0")) == nil)
        #expect(set.longestMatch(try Fixture.address("10.254.255.255")) == (try Fixture.block("10.0.0.0/8")))
    }

    @Test func rangeCountIsAtMostTwiceBlocksPlusOne() throws {
        var generator = SplitMix64(seed: 7)
        let blocks = try RandomBlocks.make(count: 2_000, using: &generator)
        let set = AddressSet(blocks)
        let ipv4Count = set.blocks.count { if case .v4 = $0.network { true } else { false } }
        let ipv6Count = set.blocks.count - ipv4Count
        #expect(set.rangeCounts.ipv4 <= 2 * ipv4Count + 1)
        #expect(set.rangeCounts.ipv6 <= 2 * ipv6Count + 1)
    }

    @Test(arguments: [1 as UInt64, 2, 3])
    func randomLookupsAgreeWithLinearScan(seed: UInt64) throws {
        var generator = SplitMix64(seed: seed)
        let blocks = try RandomBlocks.make(count: 3_000, using: &generator)
        let set = AddressSet(blocks)

        var mismatches: [String] = []
        for _ in 0..<3_000 {
            let address = RandomBlocks.address(near: blocks, using: &generator)
            let expected = RandomBlocks.longestMatchByLinearScan(address, in: blocks)
            let found = set.longestMatch(address)
            if found != expected {
                mismatches.append("\(address): found \(found.map(\.description) ?? "nil"), "
                    + "expected \(expected.map(\.description) ?? "nil")")
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
    }
}

/// Random blocks and addresses for cross-checks, drawn near a few base networks so blocks nest often.
enum RandomBlocks {
    static let ipv4Bases: [UInt32] = [0x0A00_0000, 0xC000_0200, 0xCB00_7100, 0x6440_0000]
    static let ipv6Bases: [UInt128] = [0x2001_0DB8 << 96, 0xFD00 << 112, 0x2001_0DB8_0001 << 80]

    static func make(count: Int, using generator: inout SplitMix64) throws -> [CIDRBlock] {
        try (0..<count).map { _ in try block(using: &generator) }
    }

    /// Makes a block around a random address, with a /0 block now and then.
    static func block(using generator: inout SplitMix64) throws -> CIDRBlock {
        let isZeroPrefix = Int.random(in: 0..<50, using: &generator) == 0
        switch randomAddress(using: &generator) {
        case let .v4(value):
            let prefixLength = isZeroPrefix ? 0 : Int.random(in: 8...32, using: &generator)
            let mask: UInt32 = prefixLength == 0 ? 0 : UInt32.max << (32 - prefixLength)
            return try CIDRBlock(network: .v4(value & mask), prefixLength: prefixLength)
        case let .v6(value):
            let prefixLength = isZeroPrefix ? 0 : Int.random(in: 16...128, using: &generator)
            let mask: UInt128 = prefixLength == 0 ? 0 : UInt128.max << (128 - prefixLength)
            return try CIDRBlock(network: .v6(value & mask), prefixLength: prefixLength)
        }
    }

    /// Returns an address near one of the bases, with up to 40 (IPv4) or 120 (IPv6) low bits randomized,
    /// or one time in ten any address of the family.
    static func randomAddress(using generator: inout SplitMix64) -> IPAddress {
        let lowBits = Int.random(in: 4...40, using: &generator)
        let isAnyAddress = Int.random(in: 0..<10, using: &generator) == 0

        if Bool.random(using: &generator) {
            let random = UInt32.random(in: 0...UInt32.max, using: &generator)
            guard !isAnyAddress else { return .v4(random) }
            let base = ipv4Bases.randomElement(using: &generator)!
            let lowMask: UInt32 = lowBits >= 32 ? .max : (1 << lowBits) - 1
            return .v4(base ^ (random & lowMask))
        }

        let random = randomUInt128(using: &generator)
        guard !isAnyAddress else { return .v6(random) }
        let base = ipv6Bases.randomElement(using: &generator)!
        let lowMask: UInt128 = (1 << (lowBits * 3)) - 1
        return .v6(base ^ (random & lowMask))
    }

    /// Returns an address inside a random block about half the time, and a random address otherwise.
    static func address(near blocks: [CIDRBlock], using generator: inout SplitMix64) -> IPAddress {
        guard Bool.random(using: &generator), let block = blocks.randomElement(using: &generator) else {
            return randomAddress(using: &generator)
        }
        switch block.network {
        case let .v4(network):
            let hostMask: UInt32 = block.prefixLength == 0 ? .max : ~(UInt32.max << (32 - block.prefixLength))
            return .v4(network | (UInt32.random(in: 0...UInt32.max, using: &generator) & hostMask))
        case let .v6(network):
            let hostMask: UInt128 = block.prefixLength == 0 ? .max : ~(UInt128.max << (128 - block.prefixLength))
            return .v6(network | (randomUInt128(using: &generator) & hostMask))
        }
    }

    static func randomUInt128(using generator: inout SplitMix64) -> UInt128 {
        UInt128(generator.next()) << 64 | UInt128(generator.next())
    }

    static func longestMatchByLinearScan(_ address: IPAddress, in blocks: [CIDRBlock]) -> CIDRBlock? {
        var best: CIDRBlock?
        for block in blocks where block.contains(address) {
            if best == nil || block.prefixLength > best!.prefixLength {
                best = block
            }
        }
        return best
    }
}
