import Foundation

/// The result of verifying a polled bundle that passed every check.
public enum VerificationOutcome: Sendable, Equatable {
    /// A newer bundle, now stored in `held`; the keys it announces may have replaced `trustedKeys`.
    case accepted(BundleHeader)

    /// The held bundle again, byte for byte in its payload.
    case unchanged(BundleHeader)
}

/// Checks polled bundle envelopes against trusted keys, keeps the last good bundle, and follows the
/// server's signing-key rotations.
///
/// This is what an edge agent runs on each poll. Verification is pure: the caller passes the current time.
///
/// Key continuity: the verifier starts from the keys pinned in the agent's configuration. Each accepted
/// bundle replaces the trust set with the keys it announces as `next` or `active`, so a key that was never
/// pinned becomes trusted only when a bundle signed by an already trusted key announced it. A key that a
/// bundle announces as `retired`, or stops announcing, is no longer trusted and cannot sign a later
/// bundle. A rotation from K1 to K2 is followed as long as the agent accepts at least one bundle signed
/// by K1 that announces K2 (as `next` or `active`). An agent that misses the whole overlap rejects the
/// first bundle signed by K2 alone as `.unknownKeyID`, and an operator has to pin K2.
public struct Verifier: Sendable {
    /// The media type of Perimeter policy bundles.
    public static let bundlePayloadType = "application/vnd.perimeter.bundle+json"

    /// The keys whose signatures are accepted: the pinned keys at first, then the keys that the last
    /// accepted bundle announced as `next` or `active`.
    ///
    /// An agent that keeps state across restarts must persist this together with `held` and restore both.
    /// Restoring `held` with only the pinned keys rejects new bundles as `.unknownKeyID` once the server
    /// has retired the pinned key. Restoring the trust set without `held` drops rollback protection, so an
    /// older bundle signed by a still trusted key would be accepted and would set the trust set back to
    /// what that bundle announced.
    public var trustedKeys: [Ed25519PublicKey] {
        didSet { trustedKeysByID = Self.index(trustedKeys) }
    }

    public let expectedPayloadType: String

    /// When set, bundles of any other environment are rejected even before one is held.
    public let expectedEnvironment: String?

    /// The last accepted bundle. Only acceptance changes it, so after any failure it is still the last
    /// good bundle. Set it, together with `trustedKeys`, to restore the state of an earlier run.
    public var held: BundleHeader?

    private var trustedKeysByID: [String: Ed25519PublicKey]

    public init(
        trustedKeys: [Ed25519PublicKey],
        expectedPayloadType: String = Verifier.bundlePayloadType,
        expectedEnvironment: String? = nil
    ) {
        self.trustedKeys = trustedKeys
        self.expectedPayloadType = expectedPayloadType
        self.expectedEnvironment = expectedEnvironment
        self.trustedKeysByID = Self.index(trustedKeys)
    }

    /// Verifies a polled envelope and, when it carries a newer bundle, keeps that bundle in `held` and
    /// trusts the keys it announces.
    ///
    /// The checks run in this order, and the first failure throws:
    /// 1. Decode the JSON envelope (`.malformedEnvelope`).
    /// 2. The payload type must equal `expectedPayloadType` (`.payloadTypeMismatch`).
    /// 3. At least one signature must have the key id of a key in `trustedKeys` and verify over the PAE.
    ///    Signatures with other key ids are ignored, so a key cannot vouch for itself by announcing itself
    ///    in the bundle it signs. If no signature has a trusted key id, this is `.unknownKeyID`. If every
    ///    signature with a trusted key id fails, it is `.invalidSignature` naming the first.
    /// 4. Parse the payload for `environment`, `version`, `issued_at`, `expires_at` and `signing_keys`
    ///    (`.malformedPayload`). Each announced key must be an `ed25519` key whose key id is the SHA-256 of
    ///    its DER, and a non-empty `signing_keys` must announce at least one `next` or `active` key.
    /// 5. The environment must equal `expectedEnvironment`, or else the held bundle's environment, when
    ///    either is set (`.environmentMismatch`).
    /// 6. `expires_at` must be later than `now` (`.expired`).
    /// 7. Compared with the held bundle: a lower version is `.rollback`, the same version with other
    ///    payload bytes is `.conflictingVersion`, and the same version with the same bytes returns
    ///    `.unchanged` without changing `held` or `trustedKeys`.
    /// 8. Otherwise store the bundle in `held`, replace `trustedKeys` with the keys the bundle announces as
    ///    `next` or `active`, and return `.accepted`. A bundle whose `signing_keys` is missing or empty
    ///    leaves `trustedKeys` as it is. Trusting no key would lock the agent out until an operator pins a
    ///    key again, and keeping the set adds no key that was not already trusted.
    ///
    /// A failure changes neither `held` nor `trustedKeys`.
    ///
    /// A signature without a key id (DSSE allows one) is treated as having an unknown key id, so it is
    /// never checked; Perimeter's signer always sets the key id.
    ///
    /// NOTE: A bundle signed only by keys that it does not announce as `next` or `active` is accepted once,
    /// but the same envelope polled again fails with `.unknownKeyID`, since its signers are no longer
    /// trusted. Perimeter's server signs with each of its `active` keys and announces them, so its bundles
    /// do not hit this.
    public mutating func verify(
        _ envelopeBytes: [UInt8],
        now: Date
    ) throws(VerificationError) -> VerificationOutcome {
        let envelope = try Envelope(decoding: envelopeBytes)

        guard envelope.payloadType == expectedPayloadType else {
            throw .payloadTypeMismatch(expected: expectedPayloadType, received: envelope.payloadType)
        }

        try checkSignatures(of: envelope)

        let header = try BundleHeader(payload: envelope.payload)

        if let environment = expectedEnvironment ?? held?.environment, header.environment != environment {
            throw .environmentMismatch(expected: environment, received: header.environment)
        }

        guard header.expiresAt > now else {
            throw .expired(expiresAt: header.expiresAt)
        }

        if let held {
            guard header.version >= held.version else {
                throw .rollback(held: held.version, received: header.version)
            }
            if header.version == held.version {
                guard header.payload == held.payload else {
                    throw .conflictingVersion(header.version)
                }
                return .unchanged(held)
            }
        }

        held = header
        let announcedKeys = header.signingKeys.filter(\.isTrusted).map(\.publicKey)
        if !announcedKeys.isEmpty {
            trustedKeys = announcedKeys
        }
        return .accepted(header)
    }

    /// Returns when one signature by a trusted key verifies; throws otherwise.
    private func checkSignatures(of envelope: Envelope) throws(VerificationError) {
        let encoding = envelope.preAuthenticationEncoding
        var firstFailedKeyID: String?

        for signature in envelope.signatures {
            guard let key = trustedKeysByID[signature.keyID] else {
                continue
            }
            if key.isValidSignature(signature.bytes, for: encoding) {
                return
            }
            if firstFailedKeyID == nil {
                firstFailedKeyID = signature.keyID
            }
        }

        if let firstFailedKeyID {
            throw .invalidSignature(keyID: firstFailedKeyID)
        }
        throw .unknownKeyID(envelope.signatures.map(\.keyID))
    }

    private static func index(_ keys: [Ed25519PublicKey]) -> [String: Ed25519PublicKey] {
        var keysByID = [String: Ed25519PublicKey]()
        for key in keys {
            keysByID[key.keyID] = key
        }
        return keysByID
    }
}
