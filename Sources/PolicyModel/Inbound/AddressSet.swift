/// A set of CIDR blocks that finds the most specific block containing an address.
///
/// The blocks are flattened into sorted, disjoint address ranges, one table for IPv4 and one for IPv6,
/// and each range records the longest-prefix block that covers it. A lookup is then one binary search:
/// O(log n) comparisons for n blocks of the address's family (18 for 100,000 blocks) and no allocation.
/// Building sorts the blocks, O(n log n), and stores at most 2n + 1 ranges per family.
/// A prefix trie would bound a lookup by the address width instead (32 or 128 steps, fewer when
/// path-compressed), but its nodes are scattered in memory where the range table is two flat arrays.
///
/// Addresses are compared by value, as in `CIDRBlock.contains`: an IPv4-mapped IPv6 address
/// (`::ffff:10.1.2.3`) is looked up as IPv4, so `10.0.0.0/8` contains it and `::/0` does not.
public struct AddressSet: Sendable {
    /// The blocks of the set, sorted and free of duplicates.
    public let blocks: [CIDRBlock]
    private let ipv4Ranges: AddressRangeTable<UInt32>
    private let ipv6Ranges: AddressRangeTable<UInt128>

    public init(_ blocks: some Sequence<CIDRBlock>) {
        // Sorting by network, then by prefix length, puts every block before the blocks nested in it.
        let sorted = Array(Set(blocks)).sorted()
        var ipv4Spans: [(first: UInt32, last: UInt32, blockIndex: Int32)] = []
        var ipv6Spans: [(first: UInt128, last: UInt128, blockIndex: Int32)] = []

        for (index, block) in sorted.enumerated() {
            switch block.network {
            case let .v4(network):
                let hostMask: UInt32 = block.prefixLength == 0 ? .max : ~(UInt32.max << (32 - block.prefixLength))
                ipv4Spans.append((network, network | hostMask, Int32(index)))
            case let .v6(network):
                let hostMask: UInt128 = block.prefixLength == 0 ? .max : ~(UInt128.max << (128 - block.prefixLength))
                ipv6Spans.append((network, network | hostMask, Int32(index)))
            }
        }

        self.blocks = sorted
        self.ipv4Ranges = AddressRangeTable(spans: ipv4Spans)
        self.ipv6Ranges = AddressRangeTable(spans: ipv6Spans)
    }

    public var isEmpty: Bool { blocks.isEmpty }

    /// Returns the block with the longest prefix that contains `address`, or nil when no block does.
    public func longestMatch(_ address: IPAddress) -> CIDRBlock? {
        let index: Int?
        switch address.unmapped {
        case let .v4(value): index = ipv4Ranges.blockIndex(containing: value)
        case let .v6(value): index = ipv6Ranges.blockIndex(containing: value)
        }
        return index.map { blocks[$0] }
    }

    /// Returns whether any block of the set contains `address`.
    public func contains(_ address: IPAddress) -> Bool {
        longestMatch(address) != nil
    }

    /// The number of flattened ranges of each family, which is at most 2n + 1 for n blocks of that family.
    var rangeCounts: (ipv4: Int, ipv6: Int) { (ipv4Ranges.rangeCount, ipv6Ranges.rangeCount) }
}
