/// Finds the client address of a request from its peer and its `X-Forwarded-For` lines.
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
/// Step 3 matches nginx with `real_ip_header X-Forwarded-For` and `real_ip_recursive on`: its manual
/// (nginx.org/en/docs/http/ngx_http_realip_module.html) says the peer, when trusted, "is replaced by the
/// last non-trusted address sent in the request header field". The manual does not cover a chain that is
/// trusted throughout; `ngx_http_get_forwarded_addr_internal` in nginx's `src/http/ngx_http_core_module.c`
/// recurses leftward through trusted entries and keeps the leftmost one, which is what happens here.
/// Step 4 is stricter than nginx: nginx keeps the last trusted hop when it meets an invalid entry, and it
/// reads `127.1` as 127.0.0.1 and `0177.0.0.1` as 177.0.0.1.
public struct ClientAddressResolver: Sendable {
    /// The maximum number of `X-Forwarded-For` entries the walk reads. Real chains have a few proxies,
    /// and the limit keeps the work for a hostile header small.
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
            let reason = hasHeader
                ? "the app is not behind a proxy, so the client is the peer \(peer) and X-Forwarded-For was ignored"
                : "the app is not behind a proxy, so the client is the peer \(peer)"
            return ClientResolution(client: peer, outcome: .notBehindProxy, hopIndex: 0, isHeaderIgnored: hasHeader,
                                    trustedProxyBlock: nil, reason: reason)
        }

        let peerBlock = trustedProxies.trustsAll ? nil : proxyBlocks.longestMatch(peer)
        guard trustedProxies.trustsAll || peerBlock != nil else {
            let reason = hasHeader
                ? "peer \(peer) is not a trusted proxy, so X-Forwarded-For was ignored and the peer is the client"
                : "peer \(peer) is not a trusted proxy, so the peer is the client"
            return ClientResolution(client: peer, outcome: .untrustedPeer, hopIndex: 0, isHeaderIgnored: hasHeader,
                                    trustedProxyBlock: nil, reason: reason)
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
                return tooManyEntries(hopIndex: hopIndex)
            }

            let address: IPAddress
            do {
                address = try ForwardedEntry.parse(entry).unmapped
            } catch {
                return malformed(entry, hopIndex: hopIndex, error: error)
            }

            if trustedProxies.trustsAll {
                leftmost = (address, hopIndex, nil)
                continue
            }
            guard let block = proxyBlocks.longestMatch(address) else {
                let reason = "X-Forwarded-For entry \(address) at hop \(hopIndex) is the first address from the right "
                    + "that is not a trusted proxy, so it is the client"
                return ClientResolution(client: address, outcome: .firstUntrustedHop, hopIndex: hopIndex,
                                        isHeaderIgnored: false, trustedProxyBlock: previousBlock, reason: reason)
            }
            leftmost = (address, hopIndex, previousBlock)
            previousBlock = block
        }

        return everyHopTrusted(leftmost: leftmost.address, hopIndex: leftmost.hopIndex,
                               reporterBlock: leftmost.reporterBlock)
    }

    private func everyHopTrusted(leftmost client: IPAddress, hopIndex: Int,
                                 reporterBlock: CIDRBlock?) -> ClientResolution {
        let reason: String
        let outcome: ClientResolution.Outcome
        if trustedProxies.trustsAll {
            outcome = .trustsAllHops
            reason = hopIndex == 0
                ? "trust_all is on and the peer sent no X-Forwarded-For, so the peer \(client) is the client"
                : "trust_all is on, so the leftmost X-Forwarded-For entry \(client) is the client, which anyone "
                    + "can spoof unless the outermost proxy overwrites X-Forwarded-For"
        } else {
            outcome = .allHopsTrusted
            reason = hopIndex == 0
                ? "peer \(client) is a trusted proxy and sent no X-Forwarded-For, so the peer is the client"
                : "every hop is a trusted proxy, so the leftmost X-Forwarded-For entry \(client) is the client"
        }
        return ClientResolution(client: client, outcome: outcome, hopIndex: hopIndex, isHeaderIgnored: false,
                                trustedProxyBlock: reporterBlock, reason: reason)
    }

    private func malformed(_ entry: Substring, hopIndex: Int, error: ForwardedEntryError) -> ClientResolution {
        let shown = Self.excerpt(ForwardedEntry.trimmingOptionalWhitespace(entry))
        let reason = "the client is unknown because X-Forwarded-For entry \(shown.debugDescription) at hop "
            + "\(hopIndex) is invalid: \(error)"
        return ClientResolution(client: nil, outcome: .malformedEntry(shown), hopIndex: hopIndex,
                                isHeaderIgnored: false, trustedProxyBlock: nil, reason: reason)
    }

    private func tooManyEntries(hopIndex: Int) -> ClientResolution {
        let reason = "the client is unknown because X-Forwarded-For has more than \(Self.maxForwardedEntries) "
            + "entries and the walk found no client among the last \(Self.maxForwardedEntries)"
        return ClientResolution(client: nil, outcome: .tooManyEntries, hopIndex: hopIndex,
                                isHeaderIgnored: false, trustedProxyBlock: nil, reason: reason)
    }

    /// Cuts an entry to `ForwardedEntry.maxBytes` bytes for messages, marking the cut with "…".
    private static func excerpt(_ entry: Substring) -> String {
        guard entry.utf8.count > ForwardedEntry.maxBytes else { return String(entry) }
        var kept = ""
        for character in entry {
            guard kept.utf8.count + character.utf8.count <= ForwardedEntry.maxBytes else { break }
            kept.append(character)
        }
        return kept + "…"
    }
}
