import PolicyModel
import Signing
import Storage

/// Signing-key rotation with continuity for verifiers, after TUF's root rotation: a new key is first
/// announced in bundles signed by the old one, then signs beside it, and only then replaces it.
/// Each step publishes a new version of every environment.
extension PolicyWriter {
    struct RotationStatus: Sendable {
        var keyID: String
        var signsFrom: Timestamp
        var oldKeyRetiresAt: Timestamp
    }

    /// Starts a rotation: creates the next key and announces it. Must run on the writer queue.
    func rotateSigningKey(by actor: Actor) throws -> RotationStatus {
        let now = clock.now()
        let (status, bundles, newSigner) = try store.connection.transaction {
            () throws -> (RotationStatus, [PublishedBundle], BundleSigner) in
            let records = try store.signingKeys()
            let active = records.filter { $0.state == "active" }
            guard !records.contains(where: { $0.state == "next" }), active.count == 1 else {
                throw Problem(status: 409, slug: "rotation-in-progress", title: "A rotation is in progress",
                              detail: "a signing-key rotation is still running; it finishes on its own after two overlaps "
                                  + "of \(signingKeyOverlap) seconds")
            }
            let key = Ed25519PrivateKey()
            let keyID = key.publicKey.keyID
            try store.insertSigningKey(SigningKeyRecord(
                keyID: keyID, algorithm: "ed25519", publicKeyDER: key.publicKey.derRepresentation,
                sealedPrivateKey: try masterKey.seal(key.rawRepresentation,
                                                     associatedData: BundleSigner.sealingContext(keyID: keyID)),
                state: "next", createdAt: now))
            let signer = try Bootstrap.signer(store: store, masterKey: masterKey, clock: clock, logger: logger)
            let bundles = try republishAll(action: "signing_key.announce", actor: actor, signer: signer)
            try store.appendAudit(auditEntry(action: "signing_key.rotate", actor: actor, environment: nil,
                                             change: "signing key \(keyID) announced"))
            let status = RotationStatus(keyID: keyID, signsFrom: now.adding(seconds: signingKeyOverlap),
                                        oldKeyRetiresAt: now.adding(seconds: 2 * signingKeyOverlap))
            return (status, bundles, signer)
        }
        signer = newSigner
        bundles.forEach(snapshot.publish)
        logger.info("signing key rotation started", metadata: ["signing_key.id": status.keyID])
        return status
    }

    /// Moves a rotation on when its overlap has passed: the next key starts signing, then the old key
    /// retires. Called by the periodic sweep on the writer queue.
    func advanceSigningKeyRotation() throws {
        let now = clock.now()
        let records = try store.signingKeys()
        let active = records.filter { $0.state == "active" }.sorted { $0.stateSince < $1.stateSince }
        let step: (keyID: String, state: String, action: String)?
        if let next = records.first(where: { $0.state == "next" }), next.stateSince.adding(seconds: signingKeyOverlap) <= now {
            step = (next.keyID, "active", "signing_key.activate")
        } else if active.count >= 2, let newest = active.last, newest.stateSince.adding(seconds: signingKeyOverlap) <= now {
            step = (active[0].keyID, "retired", "signing_key.retire")
        } else {
            step = nil
        }
        guard let step else { return }

        let (bundles, newSigner) = try store.connection.transaction { () throws -> ([PublishedBundle], BundleSigner) in
            try store.updateSigningKeyState(keyID: step.keyID, to: step.state, since: now)
            let signer = try Bootstrap.signer(store: store, masterKey: masterKey, clock: clock, logger: logger)
            let bundles = try republishAll(action: step.action, actor: .service, signer: signer)
            try store.appendAudit(auditEntry(action: step.action, actor: .service, environment: nil,
                                             change: "signing key \(step.keyID) \(step.state)"))
            return (bundles, signer)
        }
        signer = newSigner
        bundles.forEach(snapshot.publish)
        logger.info("signing key changed state", metadata: ["signing_key.id": step.keyID, "signing_key.state": step.state])
    }

    /// Publishes the unchanged policy of every live environment as its next version, signed by `signer`.
    private func republishAll(action: String, actor: Actor, signer: BundleSigner) throws -> [PublishedBundle] {
        var bundles: [PublishedBundle] = []
        for environment in try store.liveEnvironments() {
            let policy = try store.policy(ofEnvironment: environment.id)
            let version = environment.currentVersion + 1
            bundles.append(try publish(policy, of: environment, version: version, signer: signer))
            try store.appendAudit(auditEntry(action: action, actor: actor, environment: environment.name,
                                             from: environment.currentVersion, to: version, change: policy))
        }
        return bundles
    }
}
