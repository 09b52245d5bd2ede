import Foundation

/// The result of verifying a polled bundle that passed every check.
public enum VerificationOutcome: Sendable, Equatable {
    /// A newer bundle, now stored in `held`.
    case accepted(BundleHeader)

    /// The held bundle again, byte for byte in its payload.
    case unchanged(BundleHeader)
}

/// Checks polled bundle envelopes against pinned keys and keeps the last good bundle.
///
/// This is what an edge agent runs on each poll. Verification is pure: the caller passes the current time.
public struct Verifier: Sendable {
    /// The media type of Perimeter policy bundles.
    public static let bundlePayloadType = "application/vnd.perimeter.bundle+json"

    /// The keys whose signatures are accepted, such as the keys pinned in the agent's configuration.
    public var trustedKeys: [Ed25519PublicKey] {
        didSet { trustedKeysByID = Self.index(trustedKeys) }
    }

    public let expectedPayloadType: String

    /// When set, bundles of any other environment are rejected even before one is held.
    public let expectedEnvironment: String?

    /// The last accepted bundle. Only acceptance changes it, so after any failure it is still the last
    /// good bundle. Set it to restore the state of an earlier run.
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

    /// Verifies a polled envelope and, when it carries a newer bundle, keeps that bundle in `held`.
    ///
    /// The checks run in this order, and the first failure throws:
    /// 1. Decode the JSON envelope (`.malformedEnvelope`).
    /// 2. The payload type must equal `expectedPayloadType` (`.payloadTypeMismatch`).
    /// 3. At least one signature must have a trusted key id and verify over the PAE. Signatures with
    ///    other key ids are ignored. If no signature has a trusted key id, this is `.unknownKeyID`.
    ///    If every signature with a trusted key id fails, it is `.invalidSignature` naming the first.
    /// 4. Parse the payload for `environment`, `version`, `issued_at` and `expires_at`
    ///    (`.malformedPayload`).
    /// 5. The environment must equal `expectedEnvironment`, or else the held bundle's environment, when
    ///    either is set (`.environmentMismatch`).
    /// 6. `expires_at` must be later than `now` (`.expired`).
    /// 7. Compared with the held bundle: a lower version is `.rollback`, the same version with other
    ///    payload bytes is `.conflictingVersion`, and the same version with the same bytes returns
    ///    `.unchanged` without changing `held`.
    /// 8. Otherwise store the bundle in `held` and return `.accepted`.
    ///
    /// A signature without a key id (DSSE allows one) is treated as having an unknown key id, so it is
    /// never checked; Perimeter's signer always sets the key id.
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
