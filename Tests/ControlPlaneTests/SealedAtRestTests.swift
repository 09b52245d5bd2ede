import Foundation
import Signing
import Testing

/// Secrets at rest: secret keys and signing private keys are stored only sealed under the master key,
/// a sealed value opens only in its own row, and `rotate-master-key` re-seals everything.
@Suite struct SealedAtRestTests {
    static let adminToken = "sealed-at-rest-admin-token-0123456789abcdef"

    @Test func databaseAndLogHoldNoSecretOrSigningKey() throws {
        let server = try RunningServer(environment: [
            "PERIMETER_ADMIN_TOKEN": Self.adminToken, "PERIMETER_SIGNING_KEY_OVERLAP": "1s", "PERIMETER_LOG_LEVEL": "debug",
        ])
        defer { server.stop() }
        let client = server.client
        let rotate = "/v1/environments/default/secret-keys/rotate"
        #expect(try client.request("PUT", "/v1/environments/staging").status == 201)

        // Generated and imported keys in every state: active, verify-only and retired.
        #expect(try client.request("POST", "/v1/environments/default/secret-keys").status == 201)
        let generatedVerifyOnly = try SecretKeyAPI.current(client, environment: "default").key
        let importedRetired = SecretKeyAPI.randomImportValue()
        #expect(try client.request("POST", rotate, json: try SecretKeyAPI.valueBody(importedRetired, grace: "1h")).status == 201)
        #expect(try client.request("POST", rotate, json: #"{"grace": "0s"}"#).status == 201)
        let generatedActive = try SecretKeyAPI.current(client, environment: "default").key
        let importedActive = SecretKeyAPI.randomImportValue()
        #expect(try client.request("POST", "/v1/environments/staging/secret-keys",
                                   json: try SecretKeyAPI.valueBody(importedActive)).status == 201)
        let current = try SecretKeyAPI.current(client, environment: "default")
        #expect(current.key == generatedActive)
        #expect(current.fallbacks == [generatedVerifyOnly])
        let export = try client.request("GET", "/v1/environments/default/exports/dotenv?secrets=true")
        #expect(export.text.contains(generatedActive))

        let rotation = try client.request("POST", "/v1/signing-keys/rotate")
        #expect(rotation.status == 202, "\(rotation.text)")
        try SigningKeyAPI.waitForRotationToFinish(client, newKeyID: try #require(try rotation.json()["key_id"] as? String))

        // The write-ahead log contains recent pages only while the server runs, so read the files now and after stopping.
        let whileRunning = try DatabaseFiles.read(server.databasePath)
        #expect(server.stop() == 0)
        var files = whileRunning.map { ("\($0.name) while running", $0.bytes) }
        files += try DatabaseFiles.read(server.databasePath).map { ("\($0.name) after stop", $0.bytes) }
        files.append(("server log", Data(server.log.utf8)))

        let masterKey = try MasterKeyFile.read(server.directory.appendingPathComponent("perimeter.master-key").path)
        let seeds = try DatabaseFiles.signingKeySeeds(server.databasePath, masterKey: masterKey)
        #expect(seeds.count == 2)

        var needles: [(String, [UInt8])] = []
        for (label, value) in [("generated verify-only key", generatedVerifyOnly), ("imported retired key", importedRetired),
                               ("generated active key", generatedActive), ("imported active key", importedActive)] {
            needles += Needles.forms(of: Array(value.utf8), label: label)
            if let raw = Hex.decode(value) { needles.append(("\(label) as raw bytes", raw)) }
        }
        for (keyID, seed) in seeds {
            needles += Needles.forms(of: seed, label: "signing key \(keyID) seed")
        }
        needles += Needles.forms(of: masterKey.bytes, label: "master key")

        for (fileName, bytes) in files {
            for (label, needle) in needles {
                #expect(bytes.range(of: Data(needle)) == nil, "\(fileName) contains the \(label)")
            }
        }
    }

    @Test func sealedValueCopiedToAnotherRowDoesNotOpen() throws {
        let environment = ["PERIMETER_ADMIN_TOKEN": Self.adminToken]
        let first = try RunningServer(environment: environment)
        let client = first.client
        #expect(try client.request("PUT", "/v1/environments/staging").status == 201)
        let source = try client.request("POST", "/v1/environments/default/secret-keys")
        let sourceID = try #require(try source.json()["id"] as? String)
        let target = try client.request("POST", "/v1/environments/staging/secret-keys")
        let targetID = try #require(try target.json()["id"] as? String)
        let defaultValue = try SecretKeyAPI.current(client, environment: "default").key
        let stagingValue = try SecretKeyAPI.current(client, environment: "staging").key
        #expect(first.stop() == 0)

        try SQLiteShell.execute("""
            UPDATE secret_keys SET sealed_value = (SELECT sealed_value FROM secret_keys WHERE id = '\(sourceID)')
            WHERE id = '\(targetID)'
            """, database: first.databasePath)

        let second = try RunningServer(directory: first.directory, environment: environment)
        defer { second.stop() }
        let damaged = try second.client.request("GET", "/v1/environments/staging/secret-keys/current")
        #expect(damaged.status == 500, "\(damaged.text)")
        #expect(damaged.header("Content-Type") == "application/problem+json")
        #expect(try damaged.json()["type"] as? String == "urn:perimeter:problem:internal")
        #expect(!damaged.text.contains(defaultValue))
        #expect(!damaged.text.contains(stagingValue))
        let export = try second.client.request("GET", "/v1/environments/staging/exports/dotenv?secrets=true")
        #expect(export.status == 500, "\(export.text)")
        #expect(!export.text.contains(defaultValue))

        // The row the value came from still opens. The log names the damaged key but shows neither value.
        #expect(try SecretKeyAPI.current(second.client, environment: "default").key == defaultValue)
        #expect(second.log.contains("does not open secret key \(targetID)"), "\(second.log)")
        #expect(!second.log.contains(defaultValue))
        #expect(!second.log.contains(stagingValue))

        // Rotating without a grace period retires the damaged key, so the environment works again.
        let rotated = try second.client.request("POST", "/v1/environments/staging/secret-keys/rotate",
                                                json: #"{"grace": "0s"}"#)
        #expect(rotated.status == 201, "\(rotated.text)")
        let recovered = try SecretKeyAPI.current(second.client, environment: "staging")
        #expect(recovered.key != defaultValue)
        #expect(recovered.fallbacks.isEmpty)
    }

    // MARK: - Master-key rotation

    @Test func rotateMasterKeyReplacesDefaultKeyFile() throws {
        let environment = ["PERIMETER_ADMIN_TOKEN": Self.adminToken]
        let first = try RunningServer(environment: environment)
        let before = try MasterKeyFixture.writeSecrets(first.client)
        #expect(first.stop() == 0)

        let keyFile = first.directory.appendingPathComponent("perimeter.master-key").path
        let oldKey = try MasterKeyFile.read(keyFile)
        let newKeyFile = first.directory.appendingPathComponent("new.master-key").path
        let newKey = try MasterKeyFile.writeRandom(to: newKeyFile)
        let sealedBefore = try DatabaseFiles.sealedColumns(first.databasePath)

        let rotation = try RunningServer.runToExit(
            arguments: ["rotate-master-key", "--new-key-file", newKeyFile, "--db", first.databasePath],
            directory: first.directory)
        #expect(rotation.status == 0, "\(rotation.output)")
        #expect(rotation.output.contains("wrote the new key to \(keyFile)"), "\(rotation.output)")
        #expect(try MasterKeyFile.read(keyFile).bytes == newKey.bytes)
        let attributes = try FileManager.default.attributesOfItem(atPath: keyFile)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        #expect(!FileManager.default.fileExists(atPath: keyFile + ".new"))

        // Every sealed column changed and opens under the new key only.
        let sealedAfter = try DatabaseFiles.sealedColumns(first.databasePath)
        #expect(sealedAfter.count == sealedBefore.count)
        #expect(Set(sealedAfter.map(\.sealed)).isDisjoint(with: Set(sealedBefore.map(\.sealed))))
        for column in sealedAfter {
            #expect((try? newKey.open(column.sealed, associatedData: column.context)) != nil, "\(column.label)")
            #expect((try? oldKey.open(column.sealed, associatedData: column.context)) == nil, "\(column.label)")
        }

        let second = try RunningServer(directory: first.directory, environment: environment)
        try MasterKeyFixture.expectSecretsUnchanged(second.client, before)
        try MasterKeyFixture.expectBundlesVerify(second.client, before)
        #expect(second.stop() == 0)

        let withOldKey = try RunningServer.runToExit(
            arguments: ["--listen", "127.0.0.1:0", "--db", first.databasePath],
            environment: ["PERIMETER_MASTER_KEY": Hex.encode(oldKey.bytes)], directory: first.directory)
        #expect(withOldKey.status == 1)
        #expect(withOldKey.output.contains("master key does not open signing key"), "\(withOldKey.output)")
    }

    @Test func rotateMasterKeyWithKeyFileSetting() throws {
        let directory = try RunningServer.makeDirectory()
        let oldKeyFile = directory.appendingPathComponent("old.master-key").path
        let newKeyFile = directory.appendingPathComponent("new.master-key").path
        _ = try MasterKeyFile.writeRandom(to: oldKeyFile)
        _ = try MasterKeyFile.writeRandom(to: newKeyFile)
        let first = try RunningServer(directory: directory, environment: [
            "PERIMETER_ADMIN_TOKEN": Self.adminToken, "PERIMETER_MASTER_KEY_FILE": oldKeyFile,
        ])
        let before = try MasterKeyFixture.writeSecrets(first.client)
        #expect(first.stop() == 0)

        let rotation = try RunningServer.runToExit(
            arguments: ["rotate-master-key", "--new-key-file", newKeyFile, "--db", first.databasePath],
            environment: ["PERIMETER_MASTER_KEY_FILE": oldKeyFile], directory: directory)
        #expect(rotation.status == 0, "\(rotation.output)")
        #expect(rotation.output.contains("PERIMETER_MASTER_KEY_FILE=\(newKeyFile)"), "\(rotation.output)")
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("perimeter.master-key").path))

        let second = try RunningServer(directory: directory, environment: [
            "PERIMETER_ADMIN_TOKEN": Self.adminToken, "PERIMETER_MASTER_KEY_FILE": newKeyFile,
        ])
        try MasterKeyFixture.expectSecretsUnchanged(second.client, before)
        try MasterKeyFixture.expectBundlesVerify(second.client, before)
        #expect(second.stop() == 0)

        let withOldKey = try RunningServer.runToExit(
            arguments: ["--listen", "127.0.0.1:0", "--db", first.databasePath],
            environment: ["PERIMETER_MASTER_KEY_FILE": oldKeyFile], directory: directory)
        #expect(withOldKey.status == 1)
        #expect(withOldKey.output.contains("master key does not open signing key"), "\(withOldKey.output)")
    }

    @Test func rotateMasterKeyFromWrongKeyChangesNothing() throws {
        let first = try RunningServer(environment: ["PERIMETER_ADMIN_TOKEN": Self.adminToken])
        let before = try MasterKeyFixture.writeSecrets(first.client)
        #expect(first.stop() == 0)
        let sealedBefore = try DatabaseFiles.sealedColumns(first.databasePath)
        let newKeyFile = first.directory.appendingPathComponent("new.master-key").path
        _ = try MasterKeyFile.writeRandom(to: newKeyFile)

        let rotation = try RunningServer.runToExit(
            arguments: ["rotate-master-key", "--new-key-file", newKeyFile, "--db", first.databasePath],
            environment: ["PERIMETER_MASTER_KEY": String(repeating: "5a", count: 32)], directory: first.directory)
        #expect(rotation.status == 1)
        #expect(rotation.output.contains("does not open signing key"), "\(rotation.output)")
        #expect(rotation.output.contains("nothing was changed"), "\(rotation.output)")

        let sealedAfter = try DatabaseFiles.sealedColumns(first.databasePath)
        #expect(sealedAfter.map(\.sealed) == sealedBefore.map(\.sealed))
        let second = try RunningServer(directory: first.directory, environment: ["PERIMETER_ADMIN_TOKEN": Self.adminToken])
        defer { second.stop() }
        try MasterKeyFixture.expectSecretsUnchanged(second.client, before)
    }
}

// MARK: - Helpers

/// What a master-key test writes before rotating the key and checks afterwards.
enum MasterKeyFixture {
    struct Written {
        var defaultKeys: (key: String, fallbacks: [String])
        var stagingKey: String
        var pinnedKey: Ed25519PublicKey
    }

    /// Writes a generated key with a verify-only predecessor to `default` and an imported key to `staging`.
    static func writeSecrets(_ client: TestHTTPClient) throws -> Written {
        guard try client.request("PUT", "/v1/environments/staging").status == 201,
              try client.request("POST", "/v1/environments/default/secret-keys").status == 201,
              try client.request("POST", "/v1/environments/default/secret-keys/rotate", json: #"{"grace": "1h"}"#).status == 201,
              try client.request("POST", "/v1/environments/staging/secret-keys",
                                 json: try SecretKeyAPI.valueBody(SecretKeyAPI.randomImportValue())).status == 201
        else { throw TestFailure("writing the secret keys failed") }
        guard let pem = try SigningKeyAPI.keys(client).first?["public_key_pem"] as? String else {
            throw TestFailure("the server lists no signing key")
        }
        return Written(defaultKeys: try SecretKeyAPI.current(client, environment: "default"),
                       stagingKey: try SecretKeyAPI.current(client, environment: "staging").key,
                       pinnedKey: try Ed25519PublicKey(pemRepresentation: pem))
    }

    static func expectSecretsUnchanged(_ client: TestHTTPClient, _ written: Written,
                                       sourceLocation: SourceLocation = #_sourceLocation) throws {
        let defaultKeys = try SecretKeyAPI.current(client, environment: "default")
        #expect(defaultKeys.key == written.defaultKeys.key, sourceLocation: sourceLocation)
        #expect(defaultKeys.fallbacks == written.defaultKeys.fallbacks, sourceLocation: sourceLocation)
        #expect(try SecretKeyAPI.current(client, environment: "staging").key == written.stagingKey,
                sourceLocation: sourceLocation)
    }

    /// Verifies the stored bundle, then a new one that the re-sealed signing key signs.
    static func expectBundlesVerify(_ client: TestHTTPClient, _ written: Written,
                                    sourceLocation: SourceLocation = #_sourceLocation) throws {
        var verifier = Verifier(trustedKeys: [written.pinnedKey], expectedEnvironment: "default")
        let stored = try client.request("GET", "/v1/environments/default/bundle")
        #expect(SigningKeyAPI.isAccepted(try verifier.verify(stored.body, now: Date())), sourceLocation: sourceLocation)
        let storedVersion = try #require(verifier.held?.version, sourceLocation: sourceLocation)

        let changed = try client.request("PUT", "/v1/environments/default/ip-allowlist", json: #"{"blocks": ["10.0.0.0/8"]}"#)
        #expect(changed.status == 200, "\(changed.text)", sourceLocation: sourceLocation)
        let fresh = try client.request("GET", "/v1/environments/default/bundle")
        let outcome = try verifier.verify(fresh.body, now: Date())
        #expect(SigningKeyAPI.isAccepted(outcome), "\(outcome)", sourceLocation: sourceLocation)
        #expect(verifier.held?.version == storedVersion + 1, sourceLocation: sourceLocation)
    }
}

/// The master key file: 64 hex digits and a newline.
enum MasterKeyFile {
    static func read(_ path: String) throws -> SealingKey {
        let text = try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let bytes = Hex.decode(text) else { throw TestFailure("\(path) does not hold hex digits") }
        return try SealingKey(bytes: bytes)
    }

    /// Writes a new random key with mode 0600, as `(umask 077 && openssl rand -hex 32 > PATH)` would.
    static func writeRandom(to path: String) throws -> SealingKey {
        let key = SealingKey.generate()
        guard FileManager.default.createFile(atPath: path, contents: Data((Hex.encode(key.bytes) + "\n").utf8),
                                             attributes: [.posixPermissions: 0o600]) else {
            throw TestFailure("cannot write \(path)")
        }
        return key
    }
}

/// The database file and its write-ahead log and shared-memory files, read behind the server's back.
enum DatabaseFiles {
    static func read(_ databasePath: String) throws -> [(name: String, bytes: Data)] {
        var files: [(name: String, bytes: Data)] = []
        for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: databasePath + suffix) {
            files.append(("perimeter.db" + suffix, try Data(contentsOf: URL(fileURLWithPath: databasePath + suffix))))
        }
        return files
    }

    /// Rows of `sql` through python3's sqlite3, one tab-separated line a row, blobs in hex.
    static func query(_ sql: String, database: String) throws -> [[String]] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", """
            import sqlite3, sys
            connection = sqlite3.connect(sys.argv[1])
            for row in connection.execute(sys.argv[2]):
                print("\\t".join(value.hex() if isinstance(value, bytes) else str(value) for value in row))
            connection.close()
            """, database, sql]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw TestFailure("python3 sqlite3 failed for: \(sql)") }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map {
            $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        }
    }

    /// Opens every stored signing private key and returns its 32-byte Ed25519 seed by key id.
    static func signingKeySeeds(_ databasePath: String, masterKey: SealingKey) throws -> [(String, [UInt8])] {
        var seeds: [(String, [UInt8])] = []
        for row in try query("SELECT key_id, sealed_private_key FROM signing_keys", database: databasePath) {
            guard row.count == 2, let sealed = Hex.decode(row[1]) else { throw TestFailure("unexpected row \(row)") }
            let seed = try masterKey.open(sealed, associatedData: Array("perimeter signing key \(row[0])".utf8))
            let key = try Ed25519PrivateKey(rawRepresentation: seed)
            guard key.publicKey.keyID == row[0] else { throw TestFailure("signing key \(row[0]) opens to another key") }
            seeds.append((row[0], seed))
        }
        return seeds
    }

    /// Lists every sealed column with the associated data it was sealed with, signing keys first.
    static func sealedColumns(_ databasePath: String) throws -> [(label: String, sealed: [UInt8], context: [UInt8])] {
        let signing = try query("SELECT key_id, sealed_private_key FROM signing_keys ORDER BY key_id", database: databasePath)
        let secret = try query("SELECT id, sealed_value FROM secret_keys ORDER BY id", database: databasePath)
        var columns: [(label: String, sealed: [UInt8], context: [UInt8])] = []
        for (rows, context) in [(signing, "perimeter signing key "), (secret, "perimeter secret key ")] {
            for row in rows {
                guard row.count == 2, let sealed = Hex.decode(row[1]) else { throw TestFailure("unexpected row \(row)") }
                columns.append((row[0], sealed, Array((context + row[0]).utf8)))
            }
        }
        return columns
    }
}

/// The spellings in which a secret could leak into a file.
enum Needles {
    static func forms(of bytes: [UInt8], label: String) -> [(String, [UInt8])] {
        let hex = Hex.encode(bytes)
        return [
            (label, bytes),
            ("\(label) in hex", Array(hex.utf8)),
            ("\(label) in upper-case hex", Array(hex.uppercased().utf8)),
            ("\(label) in base64", Array(Data(bytes).base64EncodedString().utf8)),
        ]
    }
}
