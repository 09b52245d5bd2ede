/// Decides whether a request may reach the app under an IP allowlist.
///
/// The steps, in order:
/// 1. Find the client address with the `ClientAddressResolver`.
/// 2. When the normalized request path (see `RequestPath`) is covered by an exempt path, allow every
///    client, unknown ones included.
/// 3. When the allowlist has no blocks, allow every client.
/// 4. When the client is unknown, deny.
/// 5. When a block contains the client, allow and name the most specific such block. Otherwise deny.
public struct InboundDecider: Sendable {
    public let allowlist: IPAllowlist
    public let resolver: ClientAddressResolver
    private let allowedBlocks: AddressSet
    private let exemptPaths: ExemptPathTree

    public init(allowlist: IPAllowlist, resolver: ClientAddressResolver) {
        self.allowlist = allowlist
        self.resolver = resolver
        self.allowedBlocks = AddressSet(allowlist.blocks)
        self.exemptPaths = ExemptPathTree(allowlist.exemptPaths)
    }

    public init(policy: Policy) {
        self.init(allowlist: policy.ipAllowlist, resolver: ClientAddressResolver(policy.trustedProxies))
    }

    /// Decides one request from its socket peer, its `X-Forwarded-For` lines in wire order and its
    /// request target (a path with an optional query).
    public func decide(peer: IPAddress, forwardedFor: [String], path: String) -> InboundDecision {
        let resolution = resolver.resolve(peer: peer, forwardedFor: forwardedFor)
        let client = resolution.client

        if let exemptPath = exemptPaths.match(RequestPath.segments(of: path)) {
            return InboundDecision(client: client, allowed: true, exempt: true, matchedBlock: nil,
                                   exemptPath: exemptPath, resolution: resolution,
                                   reason: "the request path is covered by exempt path \(exemptPath), "
                                       + "so every client is allowed")
        }

        guard allowlist.isActive else {
            return InboundDecision(client: client, allowed: true, exempt: false, matchedBlock: nil,
                                   exemptPath: nil, resolution: resolution,
                                   reason: "allowlist is empty, so every client is allowed")
        }

        guard let client else {
            return InboundDecision(client: nil, allowed: false, exempt: false, matchedBlock: nil,
                                   exemptPath: nil, resolution: resolution,
                                   reason: "\(resolution.reason). An unknown client is denied while the "
                                       + "allowlist has blocks")
        }

        guard let block = allowedBlocks.longestMatch(client) else {
            return InboundDecision(client: client, allowed: false, exempt: false, matchedBlock: nil,
                                   exemptPath: nil, resolution: resolution,
                                   reason: "client \(client) is denied because no allowlist block contains it")
        }
        return InboundDecision(client: client, allowed: true, exempt: false, matchedBlock: block,
                               exemptPath: nil, resolution: resolution,
                               reason: "client \(client) is allowed by allowlist block \(block)")
    }
}
