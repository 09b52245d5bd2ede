/// A public key that a bundle announces in `signing_keys`, with the state the server gives it.
///
/// The server rotates its signing key by announcing the new key as `next`, then signing with both keys
/// while both are `active`, then signing with the new key alone. A verifier that accepts a bundle trusts
/// the keys it announces as `next` or `active` from then on.
public struct AnnouncedSigningKey: Sendable, Equatable {
    /// The stage of a key in the server's rotation, as `signing_keys[].state` spells it.
    public enum State: String, Sendable, CaseIterable {
        /// Announced ahead of use, so that verifiers trust it before the first bundle it signs.
        case next

        /// Signing bundles now.
        case active

        /// No longer signing, so verifiers stop trusting it.
        case retired
    }

    /// The announced key, whose key id matched the announced `key_id`.
    public var publicKey: Ed25519PublicKey

    public var state: State

    public init(publicKey: Ed25519PublicKey, state: State) {
        self.publicKey = publicKey
        self.state = state
    }

    /// Whether a verifier trusts this key after accepting the bundle that announces it.
    public var isTrusted: Bool {
        state != .retired
    }
}

// MARK: - Parsing

/// One `signing_keys` entry as JSON spells it.
struct SigningKeyFields: Decodable {
    var keyID: String
    var algorithm: String
    var publicKey: String
    var state: String

    private enum CodingKeys: String, CodingKey {
        case keyID = "key_id"
        case algorithm
        case publicKey = "public_key"
        case state
    }
}

extension AnnouncedSigningKey {
    /// The one algorithm a verifier accepts in an announcement.
    static let ed25519Algorithm = "ed25519"

    /// Checks every `signing_keys` entry and returns the keys in the order announced.
    ///
    /// Each entry must name the `ed25519` algorithm and a known state, and carry in `public_key` the
    /// standard Base64 of an Ed25519 SubjectPublicKeyInfo whose SHA-256, in lower-case hex, equals
    /// `key_id`. A key id may appear only once. A non-empty list must contain at least one `next` or
    /// `active` key, because a list of retired keys alone leaves a verifier nothing to trust. Any
    /// failure throws `.malformedPayload` naming the entry.
    static func parse(_ entries: [SigningKeyFields]) throws(VerificationError) -> [AnnouncedSigningKey] {
        var keys = [AnnouncedSigningKey]()
        var indexByKeyID = [String: Int]()

        for (index, entry) in entries.enumerated() {
            let key = try AnnouncedSigningKey(entry, field: "signing_keys[\(index)]")
            if let earlier = indexByKeyID[key.publicKey.keyID] {
                throw .malformedPayload("field signing_keys[\(index)] has duplicate key id \(entry.keyID), "
                                        + "first announced in signing_keys[\(earlier)]")
            }
            indexByKeyID[key.publicKey.keyID] = index
            keys.append(key)
        }

        guard keys.isEmpty || keys.contains(where: \.isTrusted) else {
            throw .malformedPayload("field signing_keys has no key with state next or active, only retired keys")
        }
        return keys
    }

    private init(_ entry: SigningKeyFields, field: String) throws(VerificationError) {
        guard entry.algorithm == Self.ed25519Algorithm else {
            throw .malformedPayload("field \(field).algorithm is \"\(entry.algorithm)\" but must be "
                                    + "\"\(Self.ed25519Algorithm)\"")
        }
        guard let state = State(rawValue: entry.state) else {
            let states = State.allCases.map(\.rawValue).joined(separator: ", ")
            throw .malformedPayload("field \(field).state is \"\(entry.state)\" but must be one of \(states)")
        }
        guard let der = Base64.decode(entry.publicKey) else {
            throw .malformedPayload("field \(field).public_key is not valid Base64")
        }

        let publicKey: Ed25519PublicKey
        do {
            publicKey = try Ed25519PublicKey(derRepresentation: der)
        } catch {
            throw .malformedPayload("field \(field).public_key is not an Ed25519 public key: \(error)")
        }

        guard entry.keyID == publicKey.keyID else {
            throw .malformedPayload("field \(field).key_id \(entry.keyID) is not the SHA-256 of its public_key, "
                                    + "which is \(publicKey.keyID)")
        }

        self.init(publicKey: publicKey, state: state)
    }
}
