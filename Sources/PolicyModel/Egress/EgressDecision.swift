/// The outcome of one egress check, with the reason and the rule behind it.
public struct EgressDecision: Equatable, Sendable {
    /// Whether the request may go ahead. In report mode this is true even when a rule would deny it.
    public var allowed: Bool
    /// Whether a rule denies the destination, whatever the mode.
    public var wouldDeny: Bool
    /// Why, in words an operator can act on.
    public var reason: String
    /// The deciding rule or class, such as `deny_ranges 198.51.100.0/24`, `allow_hosts *.zapier.com` or
    /// `class loopback (RFC 1122 section 3.2.1.3)`. It is nil when no single rule decided, as for malformed
    /// input or an address that no rule covers.
    public var matched: String?
    /// The canonical host: a lower-cased name without a trailing dot, or an address in canonical text.
    /// Nil when the input had no host that could be read.
    public var host: String?
    /// The port the URL names or implies (80 for http, 443 for https), or the port given with a host.
    public var port: Int?
    /// A verdict per address checked: the literal host, or each given address, in order.
    public var addresses: [AddressVerdict]

    public init(allowed: Bool, wouldDeny: Bool, reason: String, matched: String?, host: String?, port: Int?,
                addresses: [AddressVerdict]) {
        self.allowed = allowed
        self.wouldDeny = wouldDeny
        self.reason = reason
        self.matched = matched
        self.host = host
        self.port = port
        self.addresses = addresses
    }
}

/// The range-rule verdict on one address.
///
/// `allowed` is the verdict of the rules alone; report mode changes only the overall decision.
public struct AddressVerdict: Equatable, Sendable {
    /// The address as given.
    public var text: String
    /// The parsed address, or nil when `text` is not a strictly written IP address.
    public var address: IPAddress?
    public var allowed: Bool
    public var reason: String
    public var matched: String?

    public init(text: String, address: IPAddress?, allowed: Bool, reason: String, matched: String?) {
        self.text = text
        self.address = address
        self.allowed = allowed
        self.reason = reason
        self.matched = matched
    }
}
