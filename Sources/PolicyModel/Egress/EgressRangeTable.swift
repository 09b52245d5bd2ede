/// The range rules of an egress policy, looked up by longest prefix.
///
/// Blocks are grouped by prefix length. A lookup masks the address once per length present, longest
/// first, so it costs one hash lookup per distinct prefix length rather than one test per block.
struct EgressRangeTable: Sendable {
    /// The rules that name one exact block. Validation keeps a block out of both explicit lists, and the
    /// built-in table names each block once.
    struct Entry: Sendable {
        var allow: CIDRBlock?
        var deny: CIDRBlock?
        var builtIn: BuiltInRange?
    }

    /// The rule that decides an address.
    enum Match: Sendable {
        case explicitDeny(CIDRBlock)
        case explicitAllow(CIDRBlock)
        /// A built-in class, and the narrowest `allow_ranges` block that covers the address but lost because
        /// it is broader than the class, so a reason can name what would open it.
        case builtIn(BuiltInRange, broaderAllow: CIDRBlock?)
        case none
    }

    private struct Level<Value: FixedWidthInteger & UnsignedInteger & Hashable & Sendable>: Sendable {
        let prefixLength: Int
        let mask: Value
        var entries: [Value: Entry] = [:]

        init(prefixLength: Int) {
            self.prefixLength = prefixLength
            self.mask = prefixLength == 0 ? 0 : ~Value(0) << (Value.bitWidth - prefixLength)
        }
    }

    private let ipv4Levels: [Level<UInt32>]
    private let ipv6Levels: [Level<UInt128>]

    init(allow: [CIDRBlock], deny: [CIDRBlock], builtIns: [BuiltInRange]) {
        var ipv4: [Int: Level<UInt32>] = [:]
        var ipv6: [Int: Level<UInt128>] = [:]

        func update(_ block: CIDRBlock, _ change: (inout Entry) -> Void) {
            switch block.network {
            case let .v4(value):
                change(&ipv4[block.prefixLength, default: Level(prefixLength: block.prefixLength)]
                    .entries[value, default: Entry()])
            case let .v6(value):
                change(&ipv6[block.prefixLength, default: Level(prefixLength: block.prefixLength)]
                    .entries[value, default: Entry()])
            }
        }

        for range in builtIns { update(range.block) { $0.builtIn = range } }
        for block in allow { update(block) { $0.allow = block } }
        for block in deny { update(block) { $0.deny = block } }

        self.ipv4Levels = ipv4.values.sorted { $0.prefixLength > $1.prefixLength }
        self.ipv6Levels = ipv6.values.sorted { $0.prefixLength > $1.prefixLength }
    }

    /// Finds the most specific rule for `address`, which must already be unmapped.
    ///
    /// Among rules for the same block, `deny_ranges` wins over `allow_ranges`, and both win over a
    /// built-in class.
    func match(_ address: IPAddress) -> Match {
        switch address {
        case let .v4(value): EgressRangeTable.match(value, in: ipv4Levels)
        case let .v6(value): EgressRangeTable.match(value, in: ipv6Levels)
        }
    }

    private static func match<Value>(_ value: Value, in levels: [Level<Value>]) -> Match {
        for (index, level) in levels.enumerated() {
            guard let entry = level.entries[value & level.mask] else { continue }
            if let deny = entry.deny { return .explicitDeny(deny) }
            if let allow = entry.allow { return .explicitAllow(allow) }
            guard let builtIn = entry.builtIn else { continue }

            let broaderAllow = levels[(index + 1)...].lazy.compactMap { $0.entries[value & $0.mask]?.allow }.first
            return .builtIn(builtIn, broaderAllow: broaderAllow)
        }
        return .none
    }
}
