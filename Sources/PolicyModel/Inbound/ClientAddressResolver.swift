/// The resolver that finds the client address of a request from its peer and its `X-Forwarded-For` lines.
///
/// The rules, in order:
/// 1. When the app is not behind a proxy, the client is the peer and `X-Forwarded-For` is ignored.
/// 2. When the peer is not a trusted proxy (and `trust_all` is off), the client is the peer and
///    `X-Forwarded-For` is ignored, since anyone can send that header.
/// 3. Otherwise the forwarded chain, which is every `X-Forwarded-For` entry in wire order followed by the
///    peer, is walked from the right. Trusted proxies are skipped, and the first address that is not a
///    trusted proxy is the client. When every hop is trusted, the leftmost entry is the client.
///    `trust_all` trusts every hop, so the leftmost entry always wins. That is spoofable unless the
///    outermost proxy overwrites `X-Forwarded-For` instead of appending to it.
/// 4. An entry that is not an address (see `ForwardedEntry`) ends the walk, and the client is unknown.
///    So does a walk past `maxForwardedEntries` entries. Entries left of the client are never read.
///
/// Step 3 matches nginx with `real_ip_header X-Forwarded-For` and `real_ip_recursive on`. The nginx manual
/// (nginx.org/en/docs/http/ngx_http_realip_module.html) states that a trusted peer "is replaced by the
/// last non-trusted address sent in the request header field". The manual does not cover a chain that is
/// trusted throughout. In nginx's source, `ngx_http_get_forwarded_addr_internal` (`src/http/ngx_http_core_module.c`)
/// recurses leftward through trusted entries and keeps the leftmost one, and so does this resolver.
/// Step 4 is stricter than nginx: nginx keeps the last trusted hop when it meets an invalid entry, and it
/// reads `127.1` as 127.0.0.1 and `0177.0.0.1` as 177.0.0.1.
public struct ClientAddressResolver: Sendable {
    /// The maximum number of `X-Forwarded-For` entries the walk reads. The value is a choice, not a
    /// measurement: it is far more hops than a proxy chain needs, and it keeps the work for a hostile header small.
    public static let maxForwardedEntries = 64

    public let trustedProxies: TrustedProxies
    private let proxyBlocks: AddressSet

    public init(_ trustedProxies: TrustedProxies) {
        self.trustedProxies = trustedProxies
        self.proxyBlocks = AddressSet(trustedProxies.proxies)
    }

    /// Finds the client of a request from its socket peer and its `X-Forwarded-For` field lines in wire order.
    public func resolve(peer: IPAddress, forwardedFor lines: [String]) -> ClientResolution {
        let peer = peer.unmapped
        let hasHeader = !lines.isEmpty

        guard trustedProxies.isBehindProxy else {
            return ClientResolution(client: peer, peer: peer, outcome: .notBehindProxy, hopIndex: 0,
                                    isHeaderIgnored: hasHeader)
        }

        let peerBlock = trustedProxies.trustsAll ? nil : proxyBlocks.longestMatch(peer)
        guard trustedProxies.trustsAll || peerBlock != nil else {
            return ClientResolution(client: peer, peer: peer, outcome: .untrustedPeer, hopIndex: 0,
                                    isHeaderIgnored: hasHeader)
        }

        return walk(from: peer, peerBlock: peerBlock, lines: lines)
    }

    /// Walks the chain leftward from a trusted peer, skipping trusted hops.
    private func walk(from peer: IPAddress, peerBlock: CIDRBlock?, lines: [String]) -> ClientResolution {
        var entries = ForwardedEntriesFromRight(lines)
        // The leftmost hop read so far, with the block that trusted the hop to its right.
        var leftmost = (address: peer, hopIndex: 0, reporterBlock: CIDRBlock?.none)
        var previousBlock = peerBlock

        while let entry = entries.next() {
            let hopIndex = leftmost.hopIndex + 1
            guard hopIndex <= Self.maxForwardedEntries else {
                return ClientResolution(client: nil, peer: peer, outcome: .tooManyEntries, hopIndex: hopIndex)
            }

            let address: IPAddress
            do {
                address = try ForwardedEntry.parse(entry).unmapped
            } catch {
                let entryExcerpt = Self.excerpt(ForwardedEntry.trimmingOptionalWhitespace(entry))
                return ClientResolution(client: nil, peer: peer, outcome: .malformedEntry(entryExcerpt),
                                        hopIndex: hopIndex, entryError: error)
            }

            if trustedProxies.trustsAll {
                leftmost = (address, hopIndex, nil)
                continue
            }
            guard let block = proxyBlocks.longestMatch(address) else {
                return ClientResolution(client: address, peer: peer, outcome: .firstUntrustedHop, hopIndex: hopIndex,
                                        trustedProxyBlock: previousBlock)
            }
            leftmost = (address, hopIndex, previousBlock)
            previousBlock = block
        }

        return ClientResolution(client: leftmost.address, peer: peer,
                                outcome: trustedProxies.trustsAll ? .trustsAllHops : .allHopsTrusted,
                                hopIndex: leftmost.hopIndex, trustedProxyBlock: leftmost.reporterBlock)
    }

    /// Cuts an entry to `ForwardedEntry.maxBytes` bytes for messages, marking the cut with "…".
    private static func excerpt(_ entry: Substring) -> String {
        guard entry.utf8.count > ForwardedEntry.maxBytes else { return String(entry) }
        var prefix = ""
        for character in entry {
            guard prefix.utf8.count + character.utf8.count <= ForwardedEntry.maxBytes else { break }
            prefix.append(character)
        }
        return prefix + "…"
    }
}
