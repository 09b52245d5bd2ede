import Foundation

/// Reasons a verifier rejects a bundle. Each description names what to check next.
public enum VerificationError: Error, Equatable, CustomStringConvertible {
    /// The bytes are not a DSSE JSON envelope; the reason names the field at fault.
    case malformedEnvelope(String)

    /// The envelope carries another kind of payload than the verifier expects.
    case payloadTypeMismatch(expected: String, received: String)

    /// No signature has the key id of a trusted key. Carries the key ids found in the envelope.
    ///
    /// After the server rotated its key, it can also mean that the agent accepted no bundle that announced
    /// the new key.
    case unknownKeyID([String])

    /// A signature with a trusted key id does not verify, which is what a changed payload causes.
    case invalidSignature(keyID: String)

    /// The payload is signed but is not a readable bundle; the reason names the field at fault.
    case malformedPayload(String)

    /// The bundle is for another environment than the expected or held one.
    case environmentMismatch(expected: String, received: String)

    /// The bundle's `expires_at` is not later than the verifier's current time.
    case expired(expiresAt: Date)

    /// The bundle's version is lower than the held one: an old bundle replayed, or a server that lost data.
    case rollback(held: Int, received: Int)

    /// The bundle has the held version but different payload bytes; two different bundles with one
    /// version must not both be signed.
    case conflictingVersion(Int)

    public var description: String {
        switch self {
        case .malformedEnvelope(let reason):
            return "malformed envelope: \(reason); check that the URL serves a DSSE envelope"
        case .payloadTypeMismatch(let expected, let received):
            return "unexpected payload type \(quoted(received)): expected \(quoted(expected)); "
                + "check that the URL serves a Perimeter bundle"
        case .unknownKeyID(let keyIDs):
            let found = keyIDs.isEmpty ? "the envelope has no signatures" :
                "key ids in the envelope: \(keyIDs.map(quoted).joined(separator: ", "))"
            return "no signature by a trusted key (\(found)); check that the bundle comes from the right "
                + "server, and if the server rotated its signing key while this agent was not accepting its "
                + "bundles, add the server's current public signing key to the trusted keys"
        case .invalidSignature(let keyID):
            return "invalid signature by trusted key \(keyID): the payload or signature was changed after "
                + "signing; discard the bundle and check the path between server and agent"
        case .malformedPayload(let reason):
            return "malformed bundle payload: \(reason); the signer produced an invalid bundle"
        case .environmentMismatch(let expected, let received):
            return "bundle is for environment \(quoted(received)), expected \(quoted(expected)); "
                + "check the environment in the bundle URL"
        case .expired(let expiresAt):
            return "bundle expired at \(UTCTimestamp.string(from: expiresAt)); check that the server is "
                + "publishing and that this machine's clock is correct"
        case .rollback(let held, let received):
            return "rollback rejected: received version \(received) but version \(held) is held; "
                + "the server may have been restored from an old backup or an old bundle was replayed"
        case .conflictingVersion(let version):
            return "conflicting bundle: version \(version) is held with different content; "
                + "the server signed two bundles with one version and needs investigation"
        }
    }
}

private func quoted(_ text: String) -> String {
    "\"\(text)\""
}
