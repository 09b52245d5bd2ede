/// The whole policy of one environment: every section that a bundle publishes.
public struct Policy: Equatable, Sendable {
    public var ipAllowlist: IPAllowlist
    public var trustedProxies: TrustedProxies
    public var cookies: CookiePolicy
    public var egress: EgressPolicy

    public init(ipAllowlist: IPAllowlist = IPAllowlist(), trustedProxies: TrustedProxies = TrustedProxies(),
                cookies: CookiePolicy = CookiePolicy(), egress: EgressPolicy = EgressPolicy()) {
        self.ipAllowlist = ipAllowlist
        self.trustedProxies = trustedProxies
        self.cookies = cookies
        self.egress = egress
    }

    /// The section names as stored and as they appear in the bundle payload.
    public enum Section: String, CaseIterable, Sendable {
        case ipAllowlist = "ip_allowlist"
        case trustedProxies = "trusted_proxies"
        case cookies
        case egress
    }

    public func json(of section: Section) -> JSONValue {
        switch section {
        case .ipAllowlist: ipAllowlist.json
        case .trustedProxies: trustedProxies.json
        case .cookies: cookies.json
        case .egress: egress.json
        }
    }

    /// Replaces one section from its JSON form.
    public mutating func replace(_ section: Section, with json: JSONValue) throws(ValidationFailure) {
        switch section {
        case .ipAllowlist: ipAllowlist = try IPAllowlist(json: json)
        case .trustedProxies: trustedProxies = try TrustedProxies(json: json)
        case .cookies: cookies = try CookiePolicy(json: json)
        case .egress: egress = try EgressPolicy(json: json)
        }
    }
}
