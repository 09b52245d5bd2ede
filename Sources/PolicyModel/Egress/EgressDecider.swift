/// Decides whether the app may reach a destination, against an egress policy and the built-in deny classes.
///
/// Order of checks:
///
/// 1. Parse. A URL must use `http` or `https` (any letter case), carry no user information and name a
///    host. The host is percent-decoded, lower-cased and stripped of one trailing dot before any rule
///    applies. A port must be 1 to 65535, and defaults to 80 or 443. Malformed input is denied.
/// 2. Read the host. Four decimal parts without leading zeros make an IPv4 literal, and a bracketed IPv6
///    text (or, for `decide(host:port:addresses:)`, a bare one) makes an IPv6 literal. A host whose last
///    label is a number in any other spelling (`2130706433`, `0x7f.1`, `0177.0.0.1`, `127.1`,
///    `example.123`) is denied as an ambiguous or invalid IPv4 address and never treated as a name. A zone
///    identifier, a non-ASCII name (the reason gives its Punycode spelling) and a name that breaks
///    RFC 1123 are denied too.
/// 3. Host rules, for names. The most specific rule among `deny_hosts`, `allow_hosts` and the built-in
///    names (`localhost`, `*.localhost`, `metadata.google.internal`) decides: an exact name beats a
///    wildcard, and a longer suffix beats a shorter one. For the same pattern `deny_hosts` beats
///    `allow_hosts`, which beats a built-in name. A deny rule or a built-in name denies.
/// 4. Addresses: the literal host, then each given address. One denied address denies the destination.
///    The most specific block among `deny_ranges`, `allow_ranges` and the built-in classes decides each
///    address. For the same block `deny_ranges` beats `allow_ranges`, which beats a built-in class, so an
///    allow range opens a built-in class only when it is at least as specific as the class. An
///    IPv4-mapped address is decided as its IPv4 address. An IPv4-compatible, NAT64, 6to4 or Teredo
///    address must also pass as each IPv4 address it carries. A given address that is not a strictly
///    written IP address is denied.
/// 5. Unlisted destinations. When `unlisted_hosts` is `deny`, a name that no host rule matched is denied,
///    and so is a literal address that no `allow_ranges` block decided.
/// 6. Otherwise the destination is allowed. In report mode a denial becomes `allowed` with `wouldDeny` set.
///
/// Perimeter never resolves names and never connects anywhere. A name without addresses is decided on
/// host rules alone, so the caller must decide again with the addresses that resolution returns.
public struct EgressDecider: Sendable {
    public let policy: EgressPolicy
    private let hostRules: EgressHostRules
    private let rangeTable: EgressRangeTable

    public init(policy: EgressPolicy) {
        self.policy = policy
        self.hostRules = EgressHostRules(allow: policy.allowHosts, deny: policy.denyHosts,
                                         builtIns: BuiltInRanges.hostNames)
        self.rangeTable = EgressRangeTable(allow: policy.allowRanges, deny: policy.denyRanges,
                                           builtIns: BuiltInRanges.ranges)
    }

    /// Decides on the destination of an `http` or `https` URL.
    public func decide(url: String) -> EgressDecision {
        let destination: EgressURL
        do {
            destination = try EgressURL(parsing: url)
        } catch {
            return finish(Outcome(denial: "invalid URL: \(error.description)"), host: nil, port: nil, addresses: [])
        }
        return decide(hostText: destination.host, isBracketed: destination.isBracketed, port: destination.port,
                      addressTexts: [])
    }

    /// Decides on a host (a name, an IPv4 address, or an IPv6 address with or without brackets) and the
    /// addresses a resolver returned for it. Every address must pass.
    public func decide(host: String, port: Int?, addresses: [String]) -> EgressDecision {
        if let port, !(1...65535).contains(port) {
            return finish(Outcome(denial: "the port \(port) is not from 1 to 65535"), host: nil, port: port,
                          addresses: [])
        }
        if host.hasPrefix("["), host.hasSuffix("]"), host.count >= 2 {
            return decide(hostText: String(host.dropFirst().dropLast()), isBracketed: true, port: port,
                          addressTexts: addresses)
        }
        return decide(hostText: EgressHostName.canonical(host), isBracketed: false, port: port, addressTexts: addresses)
    }

    // MARK: - Steps

    private func decide(hostText: String, isBracketed: Bool, port: Int?, addressTexts: [String]) -> EgressDecision {
        // Step 2: an address literal or a valid name, or a denial.
        let host: EgressDecider.Host
        switch EgressDecider.readHost(hostText, isBracketed: isBracketed) {
        case let .success(readHost):
            host = readHost
        case let .failure(rejection):
            return finish(rejection, host: hostText, port: port, addresses: [])
        }

        // Step 3: host rules.
        var nameDecision: Outcome?
        var isListed = false
        if case let .name(name) = host {
            switch hostRules.match(name) {
            case let .explicitDeny(pattern):
                nameDecision = Outcome(denial: "\(name) matches deny_hosts \(pattern)", matched: "deny_hosts \(pattern)")
            case let .builtIn(builtIn):
                nameDecision = Outcome(
                    denial: "\(name) is a built-in denied name, class \(builtIn.rangeClass.rawValue); "
                        + "list it in allow_hosts to open it",
                    matched: builtIn.matchedText)
            case let .explicitAllow(pattern):
                nameDecision = Outcome(allowed: "\(name) matches allow_hosts \(pattern)", matched: "allow_hosts \(pattern)")
                isListed = true
            case .none:
                isListed = false
            }
        }

        // Step 4: every address, each with the IPv4 addresses it carries.
        var verdicts: [AddressVerdict] = []
        var literalIsExplicitlyAllowed = false
        if case let .address(address) = host {
            let (verdict, isExplicit) = verdict(for: address, text: hostText)
            verdicts.append(verdict)
            literalIsExplicitlyAllowed = isExplicit
        }
        for text in addressTexts {
            do {
                verdicts.append(verdict(for: try IPAddress(parsing: text), text: text).verdict)
            } catch {
                verdicts.append(AddressVerdict(text: text, address: nil, allowed: false, reason: error.description,
                                               matched: nil))
            }
        }

        let canonicalHost = host.canonicalText
        if let nameDecision, !nameDecision.allowed {
            return finish(nameDecision, host: canonicalHost, port: port, addresses: verdicts)
        }
        let denied = verdicts.filter { !$0.allowed }
        if let first = denied.first {
            let count = verdicts.count > 1 ? " (\(denied.count) of \(verdicts.count) addresses denied)" : ""
            return finish(Outcome(denial: first.reason + count, matched: first.matched), host: canonicalHost, port: port,
                          addresses: verdicts)
        }

        // Step 5: destinations that no rule lists.
        if policy.unlistedHosts == .deny {
            switch host {
            case let .name(name) where !isListed:
                return finish(Outcome(denial: "\(name) matches no allow_hosts rule and unlisted_hosts is deny",
                                      matched: "unlisted_hosts deny"),
                              host: canonicalHost, port: port, addresses: verdicts)
            case let .address(address) where !literalIsExplicitlyAllowed:
                return finish(Outcome(denial: "\(address) is in no allow_ranges block and unlisted_hosts is deny",
                                      matched: "unlisted_hosts deny"),
                              host: canonicalHost, port: port, addresses: verdicts)
            default:
                break
            }
        }

        // Step 6: allowed.
        switch host {
        case .address:
            return finish(Outcome(allowed: verdicts[0].reason, matched: verdicts[0].matched), host: canonicalHost,
                          port: port, addresses: verdicts)
        case let .name(name):
            let base = nameDecision ?? Outcome(allowed: "\(name) matches no host rule and unlisted_hosts is allow",
                                               matched: "unlisted_hosts allow")
            let addressNote = switch verdicts.count {
            case 0: "; no addresses were given, so decide again with the resolved addresses before connecting"
            case 1: "; its address passed"
            default: "; all \(verdicts.count) addresses passed"
            }
            return finish(Outcome(allowed: base.reason + addressNote, matched: base.matched), host: canonicalHost,
                          port: port, addresses: verdicts)
        }
    }

    /// Applies the mode and assembles the decision.
    private func finish(_ outcome: Outcome, host: String?, port: Int?, addresses: [AddressVerdict]) -> EgressDecision {
        guard !outcome.allowed else {
            return EgressDecision(allowed: true, wouldDeny: false, reason: outcome.reason, matched: outcome.matched,
                                  host: host, port: port, addresses: addresses)
        }
        switch policy.mode {
        case .enforce:
            return EgressDecision(allowed: false, wouldDeny: true, reason: outcome.reason, matched: outcome.matched,
                                  host: host, port: port, addresses: addresses)
        case .report:
            return EgressDecision(allowed: true, wouldDeny: true, reason: "report mode, would deny: " + outcome.reason,
                                  matched: outcome.matched, host: host, port: port, addresses: addresses)
        }
    }
}

// MARK: - Hosts and outcomes

extension EgressDecider {
    enum Host: Equatable {
        case address(IPAddress)
        case name(String)

        var canonicalText: String {
            switch self {
            case let .address(address): address.description
            case let .name(name): name
            }
        }
    }

    /// An allow or a denial with its reason, before the mode is applied.
    struct Outcome: Error {
        var allowed: Bool
        var reason: String
        var matched: String?

        init(allowed reason: String, matched: String?) {
            self.allowed = true
            self.reason = reason
            self.matched = matched
        }

        init(denial reason: String, matched: String? = nil) {
            self.allowed = false
            self.reason = reason
            self.matched = matched
        }
    }

    /// Step 2: reads `text` (canonical, or the inside of brackets) as an address literal or a name.
    static func readHost(_ text: String, isBracketed: Bool) -> Result<Host, Outcome> {
        if isBracketed || text.contains(":") {
            guard text.contains(":") else {
                return .failure(Outcome(denial: "brackets may only hold an IPv6 address, not \"\(text)\""))
            }
            do {
                return .success(.address(try IPAddress(parsing: text)))
            } catch let error {
                let matched: String? = if case .zoneIdentifier = error { "zone identifier" } else { nil }
                return .failure(Outcome(denial: error.description, matched: matched))
            }
        }

        if EgressHostName.endsInNumber(text) {
            do {
                return .success(.address(try IPAddress(parsing: text)))
            } catch let error {
                if case .ambiguousIPv4 = error {
                    return .failure(Outcome(denial: error.description, matched: "ambiguous IPv4 address"))
                }
                if EgressHostName.isNumericOnly(text) {
                    return .failure(Outcome(denial: error.description, matched: "invalid IPv4 address"))
                }
                return .failure(Outcome(denial: HostNameError.endsInNumber(text).description,
                                        matched: "ambiguous IPv4 address"))
            }
        }

        do {
            try EgressHostName.validate(text)
        } catch {
            return .failure(Outcome(denial: error.description))
        }
        return .success(.name(text))
    }

    // MARK: - Addresses

    /// Step 4 for one address: the address itself, then each IPv4 address it carries. The second value
    /// is whether an `allow_ranges` block decided the address itself.
    func verdict(for address: IPAddress, text: String) -> (verdict: AddressVerdict, isExplicitlyAllowed: Bool) {
        let own = address.unmapped
        let label = own == address ? "\(address)" : "\(own) (written as IPv4-mapped \(address))"
        let ownMatch = rangeTable.match(own)
        let ownOutcome = describe(ownMatch, label: label)
        guard ownOutcome.allowed else {
            return (AddressVerdict(text: text, address: address, allowed: false, reason: ownOutcome.reason,
                                   matched: ownOutcome.matched), false)
        }

        if case let .v6(value) = own {
            for embedded in EmbeddedIPv4.extract(from: value) {
                let carried = IPAddress.v4(embedded.address)
                let outcome = describe(rangeTable.match(carried), label: "\(carried) (the \(embedded.format) address in \(own))")
                guard outcome.allowed else {
                    return (AddressVerdict(text: text, address: address, allowed: false, reason: outcome.reason,
                                           matched: outcome.matched), false)
                }
            }
        }

        let isExplicit = if case .explicitAllow = ownMatch { true } else { false }
        return (AddressVerdict(text: text, address: address, allowed: true, reason: ownOutcome.reason,
                               matched: ownOutcome.matched), isExplicit)
    }

    private func describe(_ match: EgressRangeTable.Match, label: String) -> Outcome {
        switch match {
        case let .explicitDeny(block):
            return Outcome(denial: "\(label) is in deny_ranges \(block)", matched: "deny_ranges \(block)")
        case let .explicitAllow(block):
            return Outcome(allowed: "\(label) is in allow_ranges \(block)", matched: "allow_ranges \(block)")
        case let .builtIn(range, broaderAllow):
            var reason = "\(label) is in \(range.block) (\(range.name)), class \(range.rangeClass.rawValue)"
            if let broaderAllow {
                reason += "; allow_ranges \(broaderAllow) is broader than \(range.block), so it does not open it: "
                    + "list \(range.block) or a narrower block in allow_ranges"
            }
            return Outcome(denial: reason, matched: range.matchedText)
        case .none:
            return Outcome(allowed: "\(label) is in no denied range", matched: nil)
        }
    }
}
