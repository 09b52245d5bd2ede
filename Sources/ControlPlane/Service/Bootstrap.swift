import Foundation
import PolicyModel
import Signing
import Storage

/// First-start and every-start work: signing keys, tokens and the default environment.
enum Bootstrap {
    /// Opens the active signing keys, generating the first one on a new database.
    static func signer(store: PolicyStore, masterKey: SealingKey, clock: Clock, logger: Logger) throws -> BundleSigner {
        var records = try store.signingKeys()
        if !records.contains(where: { $0.state == "active" }) {
            let key = Ed25519PrivateKey()
            let publicKey = key.publicKey
            let record = SigningKeyRecord(
                keyID: publicKey.keyID, algorithm: "ed25519", publicKeyDER: publicKey.derRepresentation,
                sealedPrivateKey: try masterKey.seal(key.rawRepresentation,
                                                     associatedData: BundleSigner.sealingContext(keyID: publicKey.keyID)),
                state: "active", createdAt: clock.now())
            try store.insertSigningKey(record)
            records.append(record)
            logger.info("generated a signing key", metadata: ["signing_key.id": publicKey.keyID])
        }

        var keys: [Ed25519PrivateKey] = []
        for record in records where record.state == "active" {
            let raw: [UInt8]
            do {
                raw = try masterKey.open(record.sealedPrivateKey,
                                         associatedData: BundleSigner.sealingContext(keyID: record.keyID))
            } catch {
                throw StartupError("the master key does not open signing key \(record.keyID): use the master key this "
                    + "database was created with (PERIMETER_MASTER_KEY, PERIMETER_MASTER_KEY_FILE, or perimeter.master-key "
                    + "beside the database)")
            }
            let key = try Ed25519PrivateKey(rawRepresentation: raw)
            guard key.publicKey.keyID == record.keyID else {
                throw StartupError("signing key \(record.keyID) opens to a different key; the database is damaged")
            }
            keys.append(key)
        }
        let announcements = records.filter { $0.state != "retired" }.map {
            BundleSigner.announcement(keyID: $0.keyID, publicKeyDER: $0.publicKeyDER, state: $0.state)
        }
        return BundleSigner(signingKeys: keys, announcements: announcements)
    }

    /// Makes sure an admin token exists. Returns a newly generated token, which the caller shows once.
    static func adminToken(store: PolicyStore, configured: String?, clock: Clock) throws -> String? {
        let configuredID = "tok_configured_admin"
        if let configured {
            // The same characters that a bearer token may carry (RFC 6750 section 2.1), so it can log in.
            guard configured.utf8.count >= 32, configured.utf8.count <= 256,
                  configured.utf8.allSatisfy(TokenAuthenticator.isToken68Byte) else {
                throw StartupError("PERIMETER_ADMIN_TOKEN must be 32 to 256 characters of A-Z, a-z, 0-9 and -._~+/=")
            }
            try store.insertToken(TokenRecord(id: configuredID, name: "admin (PERIMETER_ADMIN_TOKEN)",
                                              tokenSHA256: SHA256.hex(Array(configured.utf8)), scopes: ["admin"],
                                              environments: nil, createdAt: clock.now()))
            return nil
        }
        // A token that came from the configuration stops working once the configuration drops it.
        try store.deleteToken(id: configuredID)
        guard try store.activeTokens().isEmpty else { return nil }

        let token = TokenFactory.makeToken()
        try store.insertToken(TokenRecord(id: TokenFactory.makeID(), name: "bootstrap admin",
                                          tokenSHA256: SHA256.hex(Array(token.utf8)), scopes: ["admin"],
                                          environments: nil, createdAt: clock.now()))
        return token
    }

    static func credentials(store: PolicyStore) throws -> [TokenAuthenticator.Credential] {
        try store.activeTokens().compactMap { record in
            guard let digest = Hex.decode(record.tokenSHA256) else { return nil }
            return TokenAuthenticator.Credential(id: record.id, name: record.name, digest: digest,
                                                 scopes: Set(record.scopes.compactMap(Scope.init(rawValue:))),
                                                 environments: record.environments.map(Set.init))
        }
    }
}

/// New tokens and their ids.
enum TokenFactory {
    /// A token: the recognizable prefix `prm_` and 32 random bytes in hex.
    static func makeToken() -> String { "prm_" + Hex.encode(SecureRandom.bytes(count: 32)) }

    static func makeID() -> String { "tok_" + Hex.encode(SecureRandom.bytes(count: 8)) }
}
