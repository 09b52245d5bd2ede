import Dispatch
import PolicyModel
import Signing
import Storage

/// The single writer: every change to the database, and every read of it, runs on its serial queue.
///
/// A change validates, stores its sections, appends an audit row, takes the next version, signs
/// the bundle and stores it, all in one transaction; only after the commit does the new bundle reach
/// the in-memory snapshot. So a committed version always has its signed bundle, versions have no
/// gaps, and a failed change leaves no row behind.
public final class PolicyWriter: @unchecked Sendable {
    // @unchecked: `store` and `signer` are touched only on `queue`, which serializes all access.
    private let queue = DispatchQueue(label: "perimeter.writer")
    let store: PolicyStore
    var signer: BundleSigner
    let masterKey: SealingKey
    /// Seconds each step of a signing-key rotation lasts.
    let signingKeyOverlap: Int64
    public let snapshot: BundleSnapshot
    let clock: Clock
    /// Lifetime of a bundle in seconds.
    let bundleTTL: Int64
    let logger: Logger

    init(store: PolicyStore, signer: BundleSigner, masterKey: SealingKey, signingKeyOverlap: Int64,
         snapshot: BundleSnapshot, clock: Clock, bundleTTL: Int64, logger: Logger) {
        self.store = store
        self.signer = signer
        self.masterKey = masterKey
        self.signingKeyOverlap = signingKeyOverlap
        self.snapshot = snapshot
        self.clock = clock
        self.bundleTTL = bundleTTL
        self.logger = logger
    }

    /// Runs `body` on the writer queue and hands its result to `completion` there.
    func perform<T>(_ body: @escaping @Sendable (PolicyWriter, PolicyStore) throws -> T,
                    completion: @escaping @Sendable (Result<T, any Error>) -> Void) {
        queue.async {
            completion(Result { try body(self, self.store) })
        }
    }

    /// Runs `body` on the writer queue and waits for it; for start-up and tests, never on an event loop.
    func performAndWait<T>(_ body: (PolicyWriter, PolicyStore) throws -> T) throws -> T {
        try queue.sync { try body(self, self.store) }
    }

    // MARK: - Changes

    public enum ChangeOutcome: Sendable, Equatable {
        /// The new policy equals the current one, so no version was made.
        case unchanged(version: Int)
        case published(version: Int)

        public var version: Int {
            switch self {
            case let .unchanged(version), let .published(version): version
            }
        }
    }

    /// Applies `change` to the environment's policy and publishes the result as the next version,
    /// unless the policy did not change. Must run on the writer queue.
    func change(environment name: String, action: String, by actor: Actor,
                _ change: (inout Policy) throws -> Void) throws -> (Policy, ChangeOutcome) {
        let (policy, outcome, bundle) = try store.connection.transaction { () throws -> (Policy, ChangeOutcome, PublishedBundle?) in
            guard let environment = try store.environment(named: name), environment.deletedAt == nil else {
                throw Problem.environmentNotFound(name)
            }
            let current = try store.policy(ofEnvironment: environment.id)
            var next = current
            try change(&next)
            guard next != current else {
                return (current, .unchanged(version: environment.currentVersion), nil)
            }

            let version = environment.currentVersion + 1
            try store.saveSections(of: next, replacing: current, environmentID: environment.id, version: version)
            let bundle = try publish(next, of: environment, version: version)
            try store.appendAudit(auditEntry(action: action, actor: actor, environment: name,
                                             from: environment.currentVersion, to: version, change: next))
            return (next, .published(version: version), bundle)
        }
        if let bundle { snapshot.publish(bundle) }
        return (policy, outcome)
    }

    /// Creates an environment with the default policy and publishes its first version. A deleted
    /// environment of that name comes back and continues its version sequence. Returns false when
    /// the environment already exists.
    func createEnvironment(named name: String, by actor: Actor) throws -> Bool {
        let bundle = try store.connection.transaction { () throws -> PublishedBundle? in
            var environment: EnvironmentRecord
            if let existing = try store.environment(named: name) {
                guard existing.deletedAt != nil else { return nil }
                try store.restoreEnvironment(id: existing.id)
                environment = existing
            } else {
                environment = try store.insertEnvironment(named: name, at: clock.now())
            }
            let version = environment.currentVersion + 1
            let bundle = try publish(Policy(), of: environment, version: version)
            try store.appendAudit(auditEntry(action: "environment.create", actor: actor, environment: name,
                                             from: environment.currentVersion, to: version, change: Policy()))
            return bundle
        }
        guard let bundle else { return false }
        snapshot.publish(bundle)
        logger.info("environment created", metadata: ["environment": name, "bundle.version": "\(bundle.version)"])
        return true
    }

    /// Deletes an environment; its pollers get 404 from now on. Returns false when it does not exist.
    func deleteEnvironment(named name: String, by actor: Actor) throws -> Bool {
        let deleted = try store.connection.transaction { () throws -> Bool in
            guard let environment = try store.environment(named: name), environment.deletedAt == nil else { return false }
            try store.markEnvironmentDeleted(id: environment.id, at: clock.now())
            try store.appendAudit(AuditEntry(at: clock.now(), tokenID: actor.tokenID, actor: actor.name, peer: actor.peer,
                                             client: actor.client, action: "environment.delete", environment: name,
                                             versionBefore: environment.currentVersion, versionAfter: nil,
                                             changeSHA256: nil))
            return true
        }
        if deleted {
            snapshot.remove(name)
            logger.info("environment deleted", metadata: ["environment": name])
        }
        return deleted
    }

    /// Publishes the same policy as a new version for every environment whose bundle has passed half
    /// its lifetime, so that pollers never hold an expired bundle while the service runs.
    func reissueAgingBundles() throws {
        let now = clock.now()
        for bundle in snapshot.all() where bundle.issuedAt.adding(seconds: bundleTTL / 2) <= now {
            let reissued = try store.connection.transaction { () throws -> PublishedBundle? in
                guard let environment = try store.environment(named: bundle.environment), environment.deletedAt == nil,
                      environment.currentVersion == bundle.version else { return nil }
                let policy = try store.policy(ofEnvironment: environment.id)
                let version = environment.currentVersion + 1
                let published = try publish(policy, of: environment, version: version)
                try store.appendAudit(auditEntry(action: "bundle.reissue", actor: .service, environment: environment.name,
                                                 from: environment.currentVersion, to: version, change: policy))
                return published
            }
            if let reissued {
                snapshot.publish(reissued)
                logger.info("bundle re-issued before expiry",
                            metadata: ["environment": reissued.environment, "bundle.version": "\(reissued.version)"])
            }
        }
    }

    /// Loads the current bundle of every live environment into the snapshot.
    func loadSnapshot() throws {
        for environment in try store.liveEnvironments() {
            guard environment.currentVersion > 0,
                  let record = try store.bundle(ofEnvironment: environment.id, version: environment.currentVersion) else {
                throw StorageError.invalidStoredValue(column: "bundles",
                                                      reason: "environment \(environment.name) has no bundle for its current version")
            }
            snapshot.publish(PublishedBundle(environment: environment.name, version: record.version,
                                             issuedAt: record.issuedAt, expiresAt: record.expiresAt,
                                             envelope: record.envelope,
                                             policy: try store.policy(ofEnvironment: environment.id)))
        }
    }

    // MARK: - Inside the transaction

    /// Signs and stores `policy` as `version`; `signer` replaces the current keys when they are about to change.
    func publish(_ policy: Policy, of environment: EnvironmentRecord, version: Int,
                 signer: BundleSigner? = nil) throws -> PublishedBundle {
        let signer = signer ?? self.signer
        let issuedAt = clock.now()
        let payload = BundlePayload(environment: environment.name, version: version, issuedAt: issuedAt,
                                    expiresAt: issuedAt.adding(seconds: bundleTTL), policy: policy,
                                    signingKeys: signer.announcements)
        let envelope = try signer.envelope(for: payload)
        try store.insertBundle(BundleRecord(environmentID: environment.id, version: version, issuedAt: issuedAt,
                                            expiresAt: payload.expiresAt, payloadSHA256: SHA256.hex(payload.encoded()),
                                            envelope: envelope))
        try store.setCurrentVersion(version, ofEnvironment: environment.id)
        return PublishedBundle(environment: environment.name, version: version, issuedAt: issuedAt,
                               expiresAt: payload.expiresAt, envelope: envelope, policy: policy)
    }

    /// An audit row for a change without a version, such as a token; `change` describes it without secrets.
    func auditEntry(action: String, actor: Actor, environment: String?, change: String) -> AuditEntry {
        AuditEntry(at: clock.now(), tokenID: actor.tokenID, actor: actor.name, peer: actor.peer, client: actor.client,
                   action: action, environment: environment, versionBefore: nil, versionAfter: nil,
                   changeSHA256: SHA256.hex(Array(change.utf8)))
    }

    func auditEntry(action: String, actor: Actor, environment: String, from before: Int, to after: Int,
                            change policy: Policy) -> AuditEntry {
        // The digest covers the published sections, which hold no secret values.
        let digest = SHA256.hex(Policy.Section.allCases.flatMap { policy.json(of: $0).encoded() })
        return AuditEntry(at: clock.now(), tokenID: actor.tokenID, actor: actor.name, peer: actor.peer,
                          client: actor.client, action: action,
                          environment: environment, versionBefore: before == 0 ? nil : before, versionAfter: after,
                          changeSHA256: digest)
    }
}
