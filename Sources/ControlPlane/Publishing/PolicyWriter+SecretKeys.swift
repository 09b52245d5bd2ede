import PolicyModel
import Signing
import Storage

/// The values the app's dotenv export carries.
struct SecretKeyValues: Sendable {
    var active: String?
    /// Verify-only keys, newest first.
    var verifyOnly: [String]
}

/// Application secret keys: at most one active key per environment, older keys verify-only for a
/// grace period, then retired. Values are sealed under the master key with the key id as
/// associated data; no error, log line or audit row ever carries one. Must run on the writer queue.
extension PolicyWriter {
    /// Generates a key, or imports `value`, as the environment's first active key.
    func createSecretKey(environment name: String, importing value: String?, by actor: Actor) throws -> SecretKeyRecord {
        try store.connection.transaction {
            let environment = try liveEnvironment(name)
            let existing = try store.secretKeys(ofEnvironment: environment.id)
            guard !existing.contains(where: { $0.state == .active }) else {
                throw Problem(status: 409, slug: "active-secret-key-exists", title: "An active secret key exists",
                              detail: "environment \"\(name)\" already has an active secret key; rotate it with "
                                  + "POST /v1/environments/\(name)/secret-keys/rotate")
            }
            let record = try insertKey(value, environment: environment, existing: existing)
            try store.appendAudit(auditEntry(action: "secret_key.create", actor: actor, environment: name,
                                             change: "secret key \(record.id) \(record.origin)"))
            return record
        }
    }

    /// Makes a new active key; the previous active key stays verify-only for `grace` seconds.
    func rotateSecretKey(environment name: String, grace: Int64, importing value: String?,
                         by actor: Actor) throws -> SecretKeyRecord {
        try store.connection.transaction {
            let environment = try liveEnvironment(name)
            let existing = try store.secretKeys(ofEnvironment: environment.id)
            let now = clock.now()
            for key in existing where key.state == .active {
                let state: SecretKeyRecord.State = grace > 0 ? .verifyOnly : .retired
                try store.updateSecretKeyState(id: key.id, to: state, verifyUntil: grace > 0 ? now.adding(seconds: grace) : nil,
                                               retiredAt: grace > 0 ? nil : now)
            }
            let record = try insertKey(value, environment: environment, existing: existing)
            try store.appendAudit(auditEntry(action: "secret_key.rotate", actor: actor, environment: name,
                                             change: "secret key \(record.id) \(record.origin), grace \(grace)"))
            return record
        }
    }

    /// Retires a verify-only key at once; the active key is replaced by rotating, never retired alone.
    func retireSecretKey(environment name: String, id: String, by actor: Actor) throws {
        try store.connection.transaction {
            let environment = try liveEnvironment(name)
            guard let key = try store.secretKeys(ofEnvironment: environment.id).first(where: { $0.id == id }) else {
                throw Problem.notFound("environment \"\(name)\" has no secret key \(id)")
            }
            switch key.state {
            case .active:
                throw Problem(status: 409, slug: "active-secret-key", title: "Cannot retire the active key",
                              detail: "secret key \(id) is active; rotate to a new key first, then retire this one")
            case .retired:
                return
            case .verifyOnly:
                try store.updateSecretKeyState(id: id, to: .retired, verifyUntil: key.verifyUntil, retiredAt: clock.now())
                try store.appendAudit(auditEntry(action: "secret_key.retire", actor: actor, environment: name,
                                                 change: "secret key \(id)"))
            }
        }
    }

    /// Retires verify-only keys whose grace period has ended; called by the periodic sweep.
    func sweepSecretKeys() throws {
        let now = clock.now()
        try store.connection.transaction {
            for key in try store.secretKeys(ofEnvironment: nil) where key.state == .verifyOnly {
                guard let until = key.verifyUntil, until <= now else { continue }
                try store.updateSecretKeyState(id: key.id, to: .retired, verifyUntil: until, retiredAt: now)
                try store.appendAudit(auditEntry(action: "secret_key.retire", actor: .service, environment: nil,
                                                 change: "secret key \(key.id) grace ended"))
            }
        }
    }

    func secretKeyMetadata(of name: String) throws -> [SecretKeyRecord] {
        try store.secretKeys(ofEnvironment: try liveEnvironment(name).id)
    }

    func secretKeyValues(of name: String) throws -> SecretKeyValues {
        let keys = try secretKeyMetadata(of: name)
        var values = SecretKeyValues(active: nil, verifyOnly: [])
        for key in keys {
            switch key.state {
            case .active: values.active = try open(key)
            case .verifyOnly: values.verifyOnly.append(try open(key))
            case .retired: continue
            }
        }
        return values
    }

    // MARK: - Helpers

    private func liveEnvironment(_ name: String) throws -> EnvironmentRecord {
        guard let environment = try store.environment(named: name), environment.deletedAt == nil else {
            throw Problem.environmentNotFound(name)
        }
        return environment
    }

    private func insertKey(_ imported: String?, environment: EnvironmentRecord,
                           existing: [SecretKeyRecord]) throws -> SecretKeyRecord {
        let value: String
        if let imported {
            try SecretKeyRules.checkImport(imported)
            // Only keys with the same fingerprint can repeat the value, so a damaged older row blocks nothing else.
            let fingerprint = String(SHA256.hex(Array(imported.utf8)).prefix(8))
            for key in existing where key.fingerprint == fingerprint {
                guard try ConstantTime.equals(Array(open(key).utf8), Array(imported.utf8)) else { continue }
                throw Problem.validation(ValidationFailure([FieldError(
                    pointer: "/value", detail: "this value was already used as secret key \(key.id) of this environment; "
                        + "reusing an old key undoes its rotation")]))
            }
            value = imported
        } else {
            value = Hex.encode(SecureRandom.bytes(count: 32))
        }
        let id = "sk_" + Hex.encode(SecureRandom.bytes(count: 8))
        let record = SecretKeyRecord(
            id: id, environmentID: environment.id, state: .active,
            sealedValue: try masterKey.seal(Array(value.utf8), associatedData: SecretKeyRules.sealingContext(id: id)),
            fingerprint: String(SHA256.hex(Array(value.utf8)).prefix(8)), origin: imported == nil ? "generated" : "imported",
            createdAt: clock.now())
        try store.insertSecretKey(record)
        return record
    }

    private func open(_ key: SecretKeyRecord) throws -> String {
        do {
            let bytes = try masterKey.open(key.sealedValue, associatedData: SecretKeyRules.sealingContext(id: key.id))
            return String(decoding: bytes, as: UTF8.self)
        } catch {
            throw SecretKeyOpenError(id: key.id, cause: error)
        }
    }
}

/// A stored secret key that the master key does not open. The log names the key, and the client gets a
/// plain 500.
struct SecretKeyOpenError: Error, CustomStringConvertible {
    let id: String
    let cause: SigningError

    var description: String {
        "the master key does not open secret key \(id) (\(cause)), so its row was damaged or sealed under another "
            + "master key. Restore the row from a backup or retire the key"
    }
}

/// Rules for imported secret keys; their messages never quote the value.
enum SecretKeyRules {
    static let minimumLength = 32

    /// Fragments of placeholder and example values from documentation and sample files.
    static let placeholderFragments = [
        "changeme", "change-me", "change_me", "replaceme", "replace-me", "replace_me", "placeholder", "example",
        "secretkey", "secret-key", "secret_key", "yoursecret", "your-secret", "your_secret", "insecure", "<", ">",
        "xxxxxxxx", "notasecret", "not-a-secret", "dummy", "password",
    ]

    static func checkImport(_ value: String) throws(Problem) {
        func rejection(_ detail: String) -> Problem {
            Problem.validation(ValidationFailure([FieldError(pointer: "/value", detail: detail)]))
        }
        guard value.utf8.count >= minimumLength else {
            throw rejection("an imported key must have at least \(minimumLength) characters; generate one with "
                + "`openssl rand -hex 32` or leave out \"value\" to let Perimeter generate it")
        }
        guard value.utf8.count <= 512, value.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw rejection("an imported key must be at most 512 visible ASCII characters without spaces")
        }
        let lowered = value.lowercased()
        if let fragment = placeholderFragments.first(where: { lowered.contains($0) }) {
            throw rejection("the value looks like a placeholder or example (it contains \"\(fragment)\"); use a random key")
        }
        guard Set(value.utf8).count >= 8 else {
            throw rejection("the value repeats too few characters to be random; use a random key")
        }
    }

    static func sealingContext(id: String) -> [UInt8] { Array("perimeter secret key \(id)".utf8) }
}
