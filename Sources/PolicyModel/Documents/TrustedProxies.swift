/// How the client address is found when the app sits behind proxies.
public struct TrustedProxies: Equatable, Sendable {
    public var isBehindProxy: Bool
    /// Trust every hop, so the leftmost forwarded entry is the client. Spoofable unless the outermost
    /// proxy overwrites `X-Forwarded-For` instead of appending to it.
    public var trustsAll: Bool
    /// Sorted and free of duplicates.
    public private(set) var proxies: [CIDRBlock]

    public init(isBehindProxy: Bool = false, trustsAll: Bool = false, proxies: [CIDRBlock] = []) {
        self.isBehindProxy = isBehindProxy
        self.trustsAll = trustsAll
        self.proxies = Array(Set(proxies)).sorted()
    }
}

extension TrustedProxies {
    public init(json: JSONValue, at pointer: String = "") throws(ValidationFailure) {
        var reader = ObjectReader(json, at: pointer)
        let isBehindProxy = reader.bool("behind_proxy", default: false)
        let trustsAll = reader.bool("trust_all", default: false)
        let proxies = reader.strings("proxies", maxCount: IPAllowlist.maxEntries, PolicyFields.block)
        reader.rejectUnknownMembers()
        guard reader.errors.isEmpty else { throw ValidationFailure(reader.errors) }
        self.init(isBehindProxy: isBehindProxy, trustsAll: trustsAll, proxies: proxies)
    }

    public var json: JSONValue {
        .object([
            ("behind_proxy", .bool(isBehindProxy)),
            ("trust_all", .bool(trustsAll)),
            ("proxies", .array(proxies.map { .string($0.description) })),
        ])
    }
}
