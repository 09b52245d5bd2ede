// Measures inbound decisions per second against allowlists of random blocks, beside a linear scan of the
// same blocks. Built together with the PolicyModel sources by `run`, so it uses only their public API.

@main
struct InboundDecisionsBenchmark {
    static let blockCounts = [10_000, 100_000]
    static let requestCount = 4_096
    /// Each measurement repeats until it has run at least this long.
    static let minimumDuration = Duration.seconds(1)

    static func main() throws {
        print("Direct: the peer is the client. Proxied: the client is read from \"<client>, 10.0.0.7\" in")
        print("X-Forwarded-For, sent by the trusted peer 10.0.0.2. Half the clients are inside a block.")
        print("")
        print("blocks   method        build ms   lookups/s     direct decisions/s   proxied decisions/s")
        for blockCount in blockCounts {
            try measure(blockCount: blockCount)
        }
    }

    static func measure(blockCount: Int) throws {
        var generator = SplitMix64(seed: UInt64(blockCount))
        let blocks = try (0..<blockCount).map { _ in try randomBlock(using: &generator) }
        let requests = (0..<requestCount).map { _ in randomRequest(near: blocks, using: &generator) }
        let direct = ClientAddressResolver(TrustedProxies())
        let proxied = ClientAddressResolver(
            TrustedProxies(isBehindProxy: true, proxies: [try CIDRBlock(parsing: "10.0.0.0/24")]))
        let allowlist = IPAllowlist(blocks: blocks, exemptPaths: ["/capture", "/batch", "/e", "/_health"])

        // The indexed deciders: build once, then decide.
        let buildStart = ContinuousClock.now
        let proxiedDecider = InboundDecider(allowlist: allowlist, resolver: proxied)
        let buildTime = ContinuousClock.now - buildStart
        let directDecider = InboundDecider(allowlist: allowlist, resolver: direct)
        let addressSet = AddressSet(allowlist.blocks)

        let lookupRate = rate { index in
            addressSet.contains(requests[index % requests.count].client) ? 1 : 0
        }
        let directRate = rate { index in
            let request = requests[index % requests.count]
            return directDecider.decide(peer: request.client, forwardedFor: [], path: request.path).allowed ? 1 : 0
        }
        let proxiedRate = rate { index in
            let request = requests[index % requests.count]
            return proxiedDecider.decide(peer: request.peer, forwardedFor: request.forwardedFor, path: request.path)
                .allowed ? 1 : 0
        }
        print(row(blockCount, "AddressSet", buildTime, [lookupRate, directRate, proxiedRate]))

        // The same decisions with the exempt paths and the allowlist scanned entry by entry.
        let linearDirect = LinearDecider(blocks: allowlist.blocks, exemptPaths: allowlist.exemptPaths, resolver: direct)
        let linearProxied = LinearDecider(blocks: allowlist.blocks, exemptPaths: allowlist.exemptPaths,
                                          resolver: proxied)
        let linearLookupRate = rate { index in
            linearDirect.longestMatch(requests[index % requests.count].client) == nil ? 0 : 1
        }
        let linearDirectRate = rate { index in
            let request = requests[index % requests.count]
            return linearDirect.decide(peer: request.client, forwardedFor: [], path: request.path) ? 1 : 0
        }
        let linearProxiedRate = rate { index in
            let request = requests[index % requests.count]
            return linearProxied.decide(peer: request.peer, forwardedFor: request.forwardedFor, path: request.path)
                ? 1 : 0
        }
        print(row(blockCount, "linear scan", nil, [linearLookupRate, linearDirectRate, linearProxiedRate]))

        // Both must agree, or the numbers compare different work.
        for request in requests {
            let indexed = proxiedDecider.decide(peer: request.peer, forwardedFor: request.forwardedFor,
                                                path: request.path)
            let scanned = linearProxied.decide(peer: request.peer, forwardedFor: request.forwardedFor,
                                               path: request.path)
            precondition(indexed.allowed == scanned, "AddressSet and linear scan disagree on \(request.client)")
        }
    }

    /// Runs `operation` with increasing indices until `minimumDuration` has passed, and returns operations per second.
    static func rate(_ operation: (Int) -> Int) -> Double {
        var count = 0
        var checksum = 0
        let start = ContinuousClock.now
        var elapsed = Duration.zero
        while elapsed < minimumDuration {
            for _ in 0..<64 {
                checksum &+= operation(count)
                count += 1
            }
            elapsed = ContinuousClock.now - start
        }
        // Printing nothing but reading the checksum keeps the optimizer from dropping the work.
        if checksum == Int.min { print(checksum) }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        return Double(count) / seconds
    }

    static func row(_ blockCount: Int, _ method: String, _ buildTime: Duration?, _ rates: [Double]) -> String {
        let build = buildTime.map { duration in
            let milliseconds = Double(duration.components.seconds) * 1e3
                + Double(duration.components.attoseconds) * 1e-15
            return String(Int(milliseconds + 0.5))
        } ?? "-"
        let columns = zip(rates, [14, 21, 0]).map { rate, width in padded(grouped(Int(rate)), width) }
        return padded(String(blockCount), 9) + padded(method, 14) + padded(build, 11) + columns.joined()
    }

    static func padded(_ text: String, _ width: Int) -> String {
        width == 0 ? text : text + String(repeating: " ", count: max(1, width - text.count))
    }

    /// Formats 1234567 as 1,234,567.
    static func grouped(_ value: Int) -> String {
        var digits = String(value)
        var index = digits.count - 3
        while index > 0 {
            digits.insert(",", at: digits.index(digits.startIndex, offsetBy: index))
            index -= 3
        }
        return digits
    }

    // MARK: - Random input

    /// A request through the trusted proxy 10.0.0.7 at peer 10.0.0.2, from a client inside a random
    /// block about half the time. One request in eight goes to an exempt path.
    struct Request {
        let peer: IPAddress
        let client: IPAddress
        let forwardedFor: [String]
        let path: String
    }

    static func randomRequest(near blocks: [CIDRBlock], using generator: inout SplitMix64) -> Request {
        let client: IPAddress
        if Bool.random(using: &generator) {
            client = randomAddress(inside: blocks.randomElement(using: &generator)!, using: &generator)
        } else {
            client = Bool.random(using: &generator)
                ? .v4(UInt32.random(in: 0...UInt32.max, using: &generator))
                : .v6(randomUInt128(using: &generator))
        }
        let clientText = client.bitWidth == 32 ? client.description : "[\(client)]:443"
        let path = Int.random(in: 0..<8, using: &generator) == 0 ? "/capture/?ip=1" : "/api/projects/1/insights"
        return Request(peer: .v4(0x0A00_0002), client: client, forwardedFor: ["\(clientText), 10.0.0.7"], path: path)
    }

    /// Makes a random block of either family, with prefix lengths spread over the usual range so that blocks nest.
    static func randomBlock(using generator: inout SplitMix64) throws -> CIDRBlock {
        if Bool.random(using: &generator) {
            let prefixLength = Int.random(in: 8...32, using: &generator)
            let network = UInt32.random(in: 0...UInt32.max, using: &generator) & (UInt32.max << (32 - prefixLength))
            return try CIDRBlock(network: .v4(network), prefixLength: prefixLength)
        }
        let prefixLength = Int.random(in: 16...128, using: &generator)
        // Global unicast space, so the blocks look like real allowlists and never fall in ::ffff:0:0/96.
        let value = (randomUInt128(using: &generator) >> 3) | (UInt128(1) << 125)
        return try CIDRBlock(network: .v6(value & (UInt128.max << (128 - prefixLength))), prefixLength: prefixLength)
    }

    static func randomAddress(inside block: CIDRBlock, using generator: inout SplitMix64) -> IPAddress {
        switch block.network {
        case let .v4(network):
            let hostMask = block.prefixLength == 0 ? UInt32.max : ~(UInt32.max << (32 - block.prefixLength))
            return .v4(network | (UInt32.random(in: 0...UInt32.max, using: &generator) & hostMask))
        case let .v6(network):
            let hostMask = block.prefixLength == 0 ? UInt128.max : ~(UInt128.max << (128 - block.prefixLength))
            return .v6(network | (randomUInt128(using: &generator) & hostMask))
        }
    }

    static func randomUInt128(using generator: inout SplitMix64) -> UInt128 {
        UInt128(generator.next()) << 64 | UInt128(generator.next())
    }
}

/// The decision without an index: the same resolver, then every exempt path and every allowlist block
/// checked in turn.
struct LinearDecider {
    let blocks: [CIDRBlock]
    let exemptPaths: [String]
    let resolver: ClientAddressResolver

    func longestMatch(_ address: IPAddress) -> CIDRBlock? {
        var best: CIDRBlock?
        for block in blocks where block.contains(address) {
            if best == nil || block.prefixLength > best!.prefixLength {
                best = block
            }
        }
        return best
    }

    /// Returns whether the request is allowed.
    func decide(peer: IPAddress, forwardedFor: [String], path: String) -> Bool {
        let normalized = RequestPath.normalize(path)
        for exemptPath in exemptPaths where exemptPath == "/" || normalized == exemptPath
            || normalized.hasPrefix(exemptPath + "/") {
            return true
        }
        guard let client = resolver.resolve(peer: peer, forwardedFor: forwardedFor).client else { return false }
        return longestMatch(client) != nil
    }
}

/// SplitMix64 (Steele, Lea and Flood, 2014): a small seeded generator, so every run uses the same input.
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
