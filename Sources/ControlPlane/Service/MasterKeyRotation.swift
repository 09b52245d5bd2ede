import Foundation
import Signing
import Storage

/// Re-seals every signing private key and secret key under a new master key, in one transaction.
///
/// Run it while perimeterd is stopped: a running server keeps the old key in memory and would seal
/// new secrets with it.
public enum MasterKeyRotation {
    /// Returns a sentence for the operator saying what to change in the configuration next.
    public static func run(configuration: ServiceConfiguration, newKeyFile: String,
                           logger: Logger = Logger(label: "perimeterd")) throws -> String {
        let oldKey = try MasterKeyLoader.load(configuration.masterKey, databasePath: configuration.databasePath,
                                              logger: logger)
        guard let data = FileManager.default.contents(atPath: newKeyFile) else {
            throw StartupError("cannot read the new master key file \(newKeyFile); create it with "
                + "`(umask 077 && openssl rand -hex 32 > \(newKeyFile))`")
        }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.utf8.count == 64, let bytes = Hex.decode(text) else {
            throw StartupError("the new master key file \(newKeyFile) must hold 64 hex digits, as `openssl rand -hex 32` prints")
        }
        let newKey = try SealingKey(bytes: bytes)

        let connection = try SQLiteConnection(path: configuration.databasePath)
        try Migrator.migrate(connection)
        let store = PolicyStore(connection: connection)
        let counts = try connection.transaction { () throws -> (Int, Int) in
            let signingKeys = try store.signingKeys()
            for record in signingKeys {
                let context = BundleSigner.sealingContext(keyID: record.keyID)
                let raw: [UInt8]
                do {
                    raw = try oldKey.open(record.sealedPrivateKey, associatedData: context)
                } catch {
                    throw StartupError("the current master key does not open signing key \(record.keyID); nothing was "
                        + "changed. Give the master key this database was created with")
                }
                try store.replaceSealedSigningKey(keyID: record.keyID,
                                                  sealedPrivateKey: try newKey.seal(raw, associatedData: context))
            }
            let secretKeys = try store.secretKeys(ofEnvironment: nil)
            for record in secretKeys {
                let context = SecretKeyRules.sealingContext(id: record.id)
                let value: [UInt8]
                do {
                    value = try oldKey.open(record.sealedValue, associatedData: context)
                } catch {
                    throw StartupError("the current master key does not open secret key \(record.id); nothing was changed")
                }
                try store.replaceSealedSecretKey(id: record.id, sealedValue: try newKey.seal(value, associatedData: context))
            }
            return (signingKeys.count, secretKeys.count)
        }
        logger.info("re-sealed every key under the new master key",
                    metadata: ["signing_keys": "\(counts.0)", "secret_keys": "\(counts.1)"])

        guard case .besideDatabase = configuration.masterKey else {
            return "Re-sealed \(counts.0) signing keys and \(counts.1) secret keys. Start perimeterd with "
                + "PERIMETER_MASTER_KEY_FILE=\(newKeyFile) from now on."
        }
        // The default key file now has to hold the new key; replace it atomically.
        let directory = (configuration.databasePath as NSString).deletingLastPathComponent
        let path = (directory.isEmpty ? "." : directory) + "/perimeter.master-key"
        let temporary = path + ".new"
        unlink(temporary)
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw StartupError("the keys were re-sealed, but \(path) could not be replaced; start perimeterd with "
                + "PERIMETER_MASTER_KEY_FILE=\(newKeyFile)")
        }
        let line = Array((text + "\n").utf8)
        let written = line.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        let synced = fsync(descriptor) == 0
        close(descriptor)
        guard written == line.count, synced, rename(temporary, path) == 0 else {
            throw StartupError("the keys were re-sealed, but \(path) could not be replaced; start perimeterd with "
                + "PERIMETER_MASTER_KEY_FILE=\(newKeyFile)")
        }
        return "Re-sealed \(counts.0) signing keys and \(counts.1) secret keys, and wrote the new key to \(path)."
    }
}
