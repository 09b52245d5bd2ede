// Measures egress decisions per second against a policy of 1,000 host rules and 1,000 ranges, for
// literal-address URLs and for names with several resolved addresses. Built together with the
// PolicyModel sources by `run`.

@main
struct EgressDecisionsBenchmark {
    static let hostRuleCount = 1_000
    static let rangeCount = 1_000
    static let inputCount = 4_096
    static let addressesPerHost = 4
    /// Each measurement repeats until it has run at least this long.
    static let minimumDuration = Duration.seconds(1)

    static func main() throws {
        var generator = SplitMix64(seed: 2_026)
        let policy = try makePolicy(using: &generator)

        let buildStart = ContinuousClock.now
        let decider = EgressDecider(policy: policy)
        let buildTime = ContinuousClock.now - buildStart

        let addresses = (0..<inputCount).map { _ in randomAddress(for: policy, using: &generator) }
        let literalURLs = addresses.map { $0.bitWidth == 32 ? "http://\($0)/" : "http://[\($0)]:8443/" }
        let literalHosts = addresses.map(\.description)
        let hosts = (0..<inputCount).map { _ in randomHost(for: policy, using: &generator) }
        let mixedLists = (0..<inputCount).map { _ in
            (0..<addressesPerHost).map { _ in randomAddress(for: policy, using: &generator).description }
        }
        let unlistedLists = (0..<inputCount).map { _ in
            (0..<addressesPerHost).map { _ in
                randomAddress(inside: try! randomBlock(using: &generator), using: &generator).description
            }
        }

        // The indexed decider must agree with a scan of every rule, or the rates measure the wrong work.
        let reference = ReferenceRanges(policy: policy)
        for address in addresses {
            let decided = decider.decide(host: address.description, port: nil, addresses: []).allowed
            precondition(decided == reference.allows(address), "decider and scan disagree on \(address)")
        }

        let urlRate = rate { index in decider.decide(url: literalURLs[index % inputCount]).allowed ? 1 : 0 }
        let literalRate = rate { index in
            decider.decide(host: literalHosts[index % inputCount], port: 443, addresses: []).allowed ? 1 : 0
        }
        let mixedRate = rate { index in
            decider.decide(host: hosts[index % inputCount], port: 443, addresses: mixedLists[index % inputCount])
                .allowed ? 1 : 0
        }
        let unlistedRate = rate { index in
            decider.decide(host: hosts[index % inputCount], port: 443, addresses: unlistedLists[index % inputCount])
                .allowed ? 1 : 0
        }

        print("policy: \(policy.allowHosts.count + policy.denyHosts.count) host rules, "
            + "\(policy.allowRanges.count + policy.denyRanges.count) ranges, "
            + "\(BuiltInRanges.ranges.count) built-in blocks; decider built in \(milliseconds(buildTime)) ms")
        print("")
        print(padded("workload", 56) + padded("decisions/s", 14) + "allowed")
        print(row("literal address URL, decide(url:)", urlRate, allowedShare(literalURLs.map { decider.decide(url: $0) })))
        print(row("literal address host, decide(host:)", literalRate,
                  allowedShare(literalHosts.map { decider.decide(host: $0, port: 443, addresses: []) })))
        print(row("name + \(addressesPerHost) addresses, mixed", mixedRate,
                  allowedShare((0..<inputCount).map { decider.decide(host: hosts[$0], port: 443, addresses: mixedLists[$0]) })))
        print(row("name + \(addressesPerHost) addresses, random", unlistedRate,
                  allowedShare((0..<inputCount).map { decider.decide(host: hosts[$0], port: 443, addresses: unlistedLists[$0]) })))
    }

    static func row(_ workload: String, _ rate: Double, _ allowed: Int) -> String {
        padded(workload, 56) + padded(grouped(Int(rate)), 14) + "\(allowed) %"
    }

    static func allowedShare(_ decisions: [EgressDecision]) -> Int {
        decisions.filter(\.allowed).count * 100 / decisions.count
    }

    // MARK: - Policy and input

    /// Makes 1,000 host rules (exact names and wildcards, allow and deny) and 1,000 ranges of both families.
    static func makePolicy(using generator: inout SplitMix64) throws -> EgressPolicy {
        var allowHosts: [HostPattern] = []
        var denyHosts: [HostPattern] = []
        for index in 0..<hostRuleCount {
            switch index % 10 {
            case 0...3: allowHosts.append(try HostPattern(parsing: "api\(index).partner\(index % 97).example"))
            case 4, 5: allowHosts.append(try HostPattern(parsing: "*.tenant\(index).example"))
            case 6...8: denyHosts.append(try HostPattern(parsing: "blocked\(index).partner\(index % 97).example"))
            default: denyHosts.append(try HostPattern(parsing: "*.quarantine\(index).example"))
            }
        }

        var allowRanges = Set<CIDRBlock>()
        var denyRanges = Set<CIDRBlock>()
        while allowRanges.count + denyRanges.count < rangeCount {
            let block = try randomBlock(using: &generator)
            guard !allowRanges.contains(block), !denyRanges.contains(block) else { continue }
            if Bool.random(using: &generator) { allowRanges.insert(block) } else { denyRanges.insert(block) }
        }
        return EgressPolicy(allowHosts: allowHosts, denyHosts: denyHosts, allowRanges: Array(allowRanges),
                            denyRanges: Array(denyRanges))
    }

    /// Returns a name under an allow rule, under a deny rule, or on neither list, in proportions 2:1:1.
    static func randomHost(for policy: EgressPolicy, using generator: inout SplitMix64) -> String {
        switch Int.random(in: 0..<4, using: &generator) {
        case 0, 1:
            let pattern = policy.allowHosts.randomElement(using: &generator)!
            return pattern.kind == .exact ? pattern.name : "hooks.\(pattern.name)"
        case 2:
            let pattern = policy.denyHosts.randomElement(using: &generator)!
            return pattern.kind == .exact ? pattern.name : "hooks.\(pattern.name)"
        default:
            return "service\(Int.random(in: 0..<100_000, using: &generator)).unlisted.example"
        }
    }

    /// Returns an address inside an allow range, a deny range or a built-in block, or a random one, each a
    /// quarter of the time.
    static func randomAddress(for policy: EgressPolicy, using generator: inout SplitMix64) -> IPAddress {
        switch Int.random(in: 0..<4, using: &generator) {
        case 0: randomAddress(inside: policy.allowRanges.randomElement(using: &generator)!, using: &generator)
        case 1: randomAddress(inside: policy.denyRanges.randomElement(using: &generator)!, using: &generator)
        case 2: randomAddress(inside: BuiltInRanges.ranges.randomElement(using: &generator)!.block, using: &generator)
        default: randomAddress(inside: try! randomBlock(using: &generator), using: &generator)
        }
    }

    /// Makes a random block of either family, with prefix lengths spread over the usual range so that blocks nest.
    static func randomBlock(using generator: inout SplitMix64) throws -> CIDRBlock {
        if Bool.random(using: &generator) {
            let prefixLength = Int.random(in: 8...32, using: &generator)
            let network = UInt32.random(in: 0...UInt32.max, using: &generator) & (UInt32.max << (32 - prefixLength))
            return try CIDRBlock(network: .v4(network), prefixLength: prefixLength)
        }
        let prefixLength = Int.random(in: 16...128, using: &generator)
        // Global unicast space, so the blocks look like real rules and never fall in ::ffff:0:0/96.
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

    // MARK: - Measurement and output

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
        // Reading the checksum keeps the optimizer from dropping the work.
        if checksum == Int.min { print(checksum) }
        return Double(count) / seconds(elapsed)
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    }

    static func milliseconds(_ duration: Duration) -> String {
        let value = seconds(duration) * 1e3
        return value < 10 ? String(Double(Int(value * 10 + 0.5)) / 10) : String(Int(value + 0.5))
    }

    static func padded(_ text: String, _ width: Int) -> String {
        text + String(repeating: " ", count: max(1, width - text.count))
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
}

/// The range decision without an index: every rule and built-in block checked in turn, the most
/// specific deciding, deny before allow before built-in for the same block.
struct ReferenceRanges {
    let allow: [CIDRBlock]
    let deny: [CIDRBlock]

    init(policy: EgressPolicy) {
        allow = policy.allowRanges
        deny = policy.denyRanges
    }

    func allows(_ address: IPAddress) -> Bool {
        let own = address.unmapped
        guard allowsOne(own) else { return false }
        guard case let .v6(value) = own else { return true }
        return EmbeddedIPv4.extract(from: value).allSatisfy { allowsOne(.v4($0.address)) }
    }

    private func allowsOne(_ address: IPAddress) -> Bool {
        // Rank: prefix length first, then deny (2) over allow (1) over built-in (0).
        var best: (length: Int, rank: Int, allows: Bool)?
        func consider(_ block: CIDRBlock, rank: Int, allows: Bool) {
            guard block.contains(address) else { return }
            if let current = best, (current.length, current.rank) >= (block.prefixLength, rank) { return }
            best = (block.prefixLength, rank, allows)
        }
        for block in deny { consider(block, rank: 2, allows: false) }
        for block in allow { consider(block, rank: 1, allows: true) }
        for range in BuiltInRanges.ranges { consider(range.block, rank: 0, allows: false) }
        return best?.allows ?? true
    }
}

/// SplitMix64, a small seeded generator, so every run uses the same input.
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
