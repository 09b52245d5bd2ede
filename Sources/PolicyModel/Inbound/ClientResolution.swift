/// The client address found for one request, how it was found, and why, in words an operator can act on.
public struct ClientResolution: Equatable, Sendable {
    /// Which rule settled the client address.
    public enum Outcome: Equatable, Sendable {
        /// The app is not behind a proxy, so the client is the peer.
        case notBehindProxy
        /// The peer is not a trusted proxy, so the client is the peer and `X-Forwarded-For` is ignored.
        case untrustedPeer
        /// The walk from the right met an address outside the trusted proxies; that address is the client.
        case firstUntrustedHop
        /// Every hop is inside the trusted proxies, so the leftmost one is the client.
        case allHopsTrusted
        /// `trust_all` trusts every hop, so the leftmost one is the client.
        case trustsAllHops
        /// The walk reached an entry that is not an address, so the client is unknown.
        /// The associated value is the entry without surrounding whitespace, cut to 64 bytes.
        case malformedEntry(String)
        /// The walk passed `ClientAddressResolver.maxForwardedEntries` trusted entries without finding
        /// the client, so the client is unknown.
        case tooManyEntries
    }

    /// The client address, with IPv4-mapped IPv6 addresses given as IPv4, or nil when it is unknown.
    public let client: IPAddress?
    public let outcome: Outcome
    /// The hop where the walk stopped, counted from the right: 0 is the peer, 1 the rightmost
    /// `X-Forwarded-For` entry, and so on. It is the client's hop, or the hop of the entry that made the
    /// client unknown.
    public let hopIndex: Int
    /// Whether `X-Forwarded-For` was present but not consulted, because the app is not behind a proxy
    /// or the peer is not a trusted proxy.
    public let isHeaderIgnored: Bool
    /// The trusted-proxy block that contains the hop just right of the client, which is the proxy that
    /// reported the client. Nil when the client is the peer, when the client is unknown, and under
    /// `trust_all`, which trusts hops without a block.
    public let trustedProxyBlock: CIDRBlock?
    /// A sentence that names the client, or the entry that made it unknown, and the rule that applied.
    public let reason: String
}
