import PolicyModel

/// Parsers for the fixtures of the inbound tests, which expect every fixture to be valid.
enum Fixture {
    static func address(_ text: String) throws -> IPAddress {
        try IPAddress(parsing: text)
    }

    static func block(_ text: String) throws -> CIDRBlock {
        try CIDRBlock(parsing: text)
    }

    static func blocks(_ texts: [String]) throws -> [CIDRBlock] {
        try texts.map { try CIDRBlock(parsing: $0) }
    }

    /// Makes the settings of an app behind proxies that trusts `blocks`, by default `10.0.0.0/24`.
    static func proxies(_ blocks: [String] = ["10.0.0.0/24"], trustsAll: Bool = false) throws -> TrustedProxies {
        TrustedProxies(isBehindProxy: true, trustsAll: trustsAll, proxies: try Fixture.blocks(blocks))
    }
}

/// SplitMix64 (Steele, Lea and Flood, 2014): a small seeded generator, so randomized tests repeat exactly.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}
