/// The host rules of an egress policy plus the built-in names, looked up by specificity.
///
/// An exact name beats every wildcard, and a wildcard over a longer suffix beats one over a shorter
/// suffix. Among rules of the same pattern, `deny_hosts` wins over `allow_hosts`, and both win over a
/// built-in name.
struct EgressHostRules: Sendable {
    struct Entry: Sendable {
        var allow: HostPattern?
        var deny: HostPattern?
        var builtIn: BuiltInHostName?
    }

    enum Match: Sendable {
        case explicitDeny(HostPattern)
        case explicitAllow(HostPattern)
        case builtIn(BuiltInHostName)
        case none
    }

    private var exact: [String: Entry] = [:]
    /// Keyed by the suffix of `*.suffix`.
    private var subdomains: [String: Entry] = [:]

    init(allow: [HostPattern], deny: [HostPattern], builtIns: [BuiltInHostName]) {
        for name in builtIns { update(name.pattern) { $0.builtIn = name } }
        for pattern in allow { update(pattern) { $0.allow = pattern } }
        for pattern in deny { update(pattern) { $0.deny = pattern } }
    }

    private mutating func update(_ pattern: HostPattern, _ change: (inout Entry) -> Void) {
        switch pattern.kind {
        case .exact: change(&exact[pattern.name, default: Entry()])
        case .subdomains: change(&subdomains[pattern.name, default: Entry()])
        }
    }

    /// Finds the most specific rule for `host`, a canonical name.
    func match(_ host: String) -> Match {
        if let entry = exact[host], let match = EgressHostRules.resolve(entry) { return match }

        // Each dot starts a shorter suffix, so the first suffix with a rule is the longest.
        var index = host.startIndex
        while let dot = host[index...].firstIndex(of: ".") {
            let suffix = host.index(after: dot)
            if let entry = subdomains[String(host[suffix...])], let match = EgressHostRules.resolve(entry) {
                return match
            }
            index = suffix
        }
        return .none
    }

    private static func resolve(_ entry: Entry) -> Match? {
        if let deny = entry.deny { return .explicitDeny(deny) }
        if let allow = entry.allow { return .explicitAllow(allow) }
        if let builtIn = entry.builtIn { return .builtIn(builtIn) }
        return nil
    }
}
