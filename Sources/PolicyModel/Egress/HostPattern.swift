/// A host rule: an exact name (`hooks.slack.com`) or every subdomain of a name (`*.zapier.com`).
///
/// A subdomain pattern never matches the name itself: `*.zapier.com` matches `a.zapier.com` and
/// `a.b.zapier.com`, not `zapier.com`. Names are stored lower-cased without a trailing dot.
public struct HostPattern: Hashable, Sendable {
    public enum Kind: Hashable, Sendable {
        case exact
        case subdomains
    }

    public let kind: Kind
    /// The exact name, or for `*.suffix` the suffix without `*.`.
    public let name: String

    /// Parses `example.com` or `*.example.com`, lower-casing and removing a trailing dot.
    ///
    /// Rejected: IP addresses in any spelling (they belong in range lists), names whose last label is a
    /// number, non-ASCII names (the error carries the Punycode spelling), labels that break RFC 1123,
    /// and every other wildcard shape.
    public init(parsing text: String) throws(HostNameError) {
        let canonical = EgressHostName.canonical(text)
        guard !canonical.isEmpty else { throw .empty }
        if canonical.contains(":") || EgressHostName.isNumericOnly(canonical) {
            throw .addressInHostList(text, list: "allow_ranges or deny_ranges")
        }

        if canonical.hasPrefix("*.") {
            let suffix = String(canonical.dropFirst(2))
            guard !suffix.isEmpty, !suffix.contains("*") else { throw .unsupportedWildcard(text) }
            // A matching name has at least one more label, so the suffix leaves room for "x.".
            try EgressHostName.validate(suffix, maxLength: EgressHostName.maxLength - 2)
            self.kind = .subdomains
            self.name = suffix
        } else {
            guard !canonical.contains("*") else { throw .unsupportedWildcard(text) }
            try EgressHostName.validate(canonical)
            self.kind = .exact
            self.name = canonical
        }
    }

    /// Returns whether `host`, a canonical name, matches this pattern.
    public func matches(_ host: String) -> Bool {
        switch kind {
        case .exact:
            host == name
        case .subdomains:
            host.utf8.count > name.utf8.count + 1 && host.hasSuffix("." + name)
        }
    }

    /// Returns whether this pattern matches only names that `other` matches too, and fewer of them. That is
    /// an exact name under a wildcard, or a wildcard over a longer suffix.
    func isNarrower(than other: HostPattern) -> Bool {
        guard other.kind == .subdomains, self != other else { return false }
        return name.hasSuffix("." + other.name)
    }
}

extension HostPattern: CustomStringConvertible {
    /// The pattern as written in a policy: `example.com` or `*.example.com`.
    public var description: String {
        switch kind {
        case .exact: name
        case .subdomains: "*." + name
        }
    }
}

extension HostPattern: Comparable {
    /// Orders by text, so lists of patterns have one canonical order.
    public static func < (lhs: HostPattern, rhs: HostPattern) -> Bool {
        lhs.description < rhs.description
    }
}
