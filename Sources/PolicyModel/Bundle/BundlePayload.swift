/// A public key that verifiers should trust, as announced inside a bundle.
public struct SigningKeyAnnouncement: Equatable, Sendable {
    public var keyID: String
    public var algorithm: String
    /// Standard base64 of the SubjectPublicKeyInfo DER encoding.
    public var publicKeyDERBase64: String
    public var state: String

    public init(keyID: String, algorithm: String, publicKeyDERBase64: String, state: String) {
        self.keyID = keyID
        self.algorithm = algorithm
        self.publicKeyDERBase64 = publicKeyDERBase64
        self.state = state
    }
}

/// The signed content of a bundle: one environment's whole policy at one version.
///
/// Secret values never enter it: keys appear only as public keys.
public struct BundlePayload: Equatable, Sendable {
    public static let payloadType = "application/vnd.perimeter.bundle+json"

    public var environment: String
    public var version: Int
    public var issuedAt: Timestamp
    public var expiresAt: Timestamp
    public var policy: Policy
    public var signingKeys: [SigningKeyAnnouncement]

    public init(environment: String, version: Int, issuedAt: Timestamp, expiresAt: Timestamp, policy: Policy,
                signingKeys: [SigningKeyAnnouncement]) {
        self.environment = environment
        self.version = version
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
        self.policy = policy
        self.signingKeys = signingKeys
    }

    /// The payload bytes; member order is fixed, so equal payloads encode to equal bytes.
    public func encoded() -> [UInt8] {
        let cookies = policy.cookies
        let setting: JSONValue = switch cookies.secure {
        case .auto: .string("auto")
        case .on: .bool(true)
        case .off: .bool(false)
        }
        let document: JSONValue = .object([
            ("environment", .string(environment)),
            ("version", .integer(version)),
            ("issued_at", .string(issuedAt.rfc3339)),
            ("expires_at", .string(expiresAt.rfc3339)),
            ("ip_allowlist", policy.ipAllowlist.json),
            ("trusted_proxies", policy.trustedProxies.json),
            // "secure" is the effective value an app applies; the setting and mode explain it.
            ("cookies", .object([
                ("secure", .bool(cookies.isSecureEffective)),
                ("setting", setting),
                ("app_mode", .string(cookies.appMode.rawValue)),
            ])),
            ("egress", policy.egress.json),
            ("signing_keys", .array(signingKeys.map { key in
                .object([
                    ("key_id", .string(key.keyID)),
                    ("algorithm", .string(key.algorithm)),
                    ("public_key", .string(key.publicKeyDERBase64)),
                    ("state", .string(key.state)),
                ])
            })),
        ])
        return document.encoded()
    }
}
