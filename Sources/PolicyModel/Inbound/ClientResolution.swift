/// The client address found for one request, how it was found, and why, in words an operator can act on.
public struct ClientResolution: Equatable, Sendable {
    /// The rule that settled the client address.
    public enum Outcome: Equatable, Sendable {
        /// The app is not behind a proxy, so the client is the peer.
        case notBehindProxy
        /// The peer is not a trusted proxy, so the client is the peer and `X-Forwarded-For` is ignored.
        case untrustedPeer
        /// The walk from the right met an address outside the trusted proxies, and that address is the client.
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
    /// The socket peer, with an IPv4-mapped IPv6 address given as IPv4.
    public let peer: IPAddress
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
    /// The reason the entry of a `malformedEntry` outcome is not an address.
    let entryError: ForwardedEntryError?

    init(client: IPAddress?, peer: IPAddress, outcome: Outcome, hopIndex: Int, isHeaderIgnored: Bool = false,
         trustedProxyBlock: CIDRBlock? = nil, entryError: ForwardedEntryError? = nil) {
        self.client = client
        self.peer = peer
        self.outcome = outcome
        self.hopIndex = hopIndex
        self.isHeaderIgnored = isHeaderIgnored
        self.trustedProxyBlock = trustedProxyBlock
        self.entryError = entryError
    }

    /// A sentence that names the client, or the entry that made it unknown, and the rule that applied.
    ///
    /// It is built on each read, so that requests whose reason is never logged do not pay for it.
    public var reason: String {
        switch outcome {
        case .notBehindProxy:
            isHeaderIgnored
                ? "the app is not behind a proxy, so the client is the peer \(peer) and X-Forwarded-For was ignored"
                : "the app is not behind a proxy, so the client is the peer \(peer)"
        case .untrustedPeer:
            isHeaderIgnored
                ? "peer \(peer) is not a trusted proxy, so X-Forwarded-For was ignored and the peer is the client"
                : "peer \(peer) is not a trusted proxy, so the peer is the client"
        case .firstUntrustedHop:
            "X-Forwarded-For entry \(clientText) at hop \(hopIndex) is the first address from the right that is "
                + "not a trusted proxy, so it is the client"
        case .allHopsTrusted:
            hopIndex == 0
                ? "peer \(peer) is a trusted proxy and sent no X-Forwarded-For, so the peer is the client"
                : "every hop is a trusted proxy, so the leftmost X-Forwarded-For entry \(clientText) is the client"
        case .trustsAllHops:
            hopIndex == 0
                ? "trust_all is on and the peer sent no X-Forwarded-For, so the peer \(peer) is the client"
                : "trust_all is on, so the leftmost X-Forwarded-For entry \(clientText) is the client, which anyone "
                    + "can spoof unless the outermost proxy overwrites X-Forwarded-For"
        case let .malformedEntry(entry):
            "the client is unknown because X-Forwarded-For entry \(entry.debugDescription) at hop \(hopIndex) "
                + "is invalid: \(entryError.map(\.description) ?? "it is not an address")"
        case .tooManyEntries:
            "the client is unknown because X-Forwarded-For has more than \(ClientAddressResolver.maxForwardedEntries) "
                + "entries and the walk found no client among the last \(ClientAddressResolver.maxForwardedEntries)"
        }
    }

    private var clientText: String { client.map(\.description) ?? "unknown" }
}
