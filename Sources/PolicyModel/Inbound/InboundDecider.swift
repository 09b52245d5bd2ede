/// The IP-allowlist check that decides whether a request may reach the app.
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

        if let exemptPath = exemptPaths.match(RequestPath.segments(of: path)) {
            return InboundDecision(.exemptPath, resolution: resolution, exemptPath: exemptPath)
        }
        guard allowlist.isActive else {
            return InboundDecision(.allowlistEmpty, resolution: resolution)
        }
        guard let client = resolution.client else {
            return InboundDecision(.unknownClient, resolution: resolution)
        }
        guard let block = allowedBlocks.longestMatch(client) else {
            return InboundDecision(.noBlockMatched, resolution: resolution)
        }
        return InboundDecision(.blockMatched, resolution: resolution, matchedBlock: block)
    }
}
