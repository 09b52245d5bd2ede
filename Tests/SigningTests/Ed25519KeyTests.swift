import Foundation
import Testing
@testable import Signing

@Suite struct Ed25519KeyTests {
    // MARK: - Signing and verifying

    @Test func signatureVerifiesWithPublicKey() throws {
        let key = Ed25519PrivateKey()
        let message = [UInt8](utf8: "policy bundle")
        let signature = try key.signature(for: message)

        #expect(signature.count == 64)
        #expect(key.publicKey.isValidSignature(signature, for: message))
    }

    @Test func emptyMessageSignsAndVerifies() throws {
        let key = Ed25519PrivateKey()
        let signature = try key.signature(for: [])

        #expect(key.publicKey.isValidSignature(signature, for: []))
        #expect(!key.publicKey.isValidSignature(signature, for: [0]))
    }

    @Test func rejectsSignatureOverOtherMessage() throws {
        let key = Ed25519PrivateKey()
        let signature = try key.signature(for: [UInt8](utf8: "version 1"))

        #expect(!key.publicKey.isValidSignature(signature, for: [UInt8](utf8: "version 2")))
    }

    @Test func rejectsSignatureByOtherKey() throws {
        let signer = Ed25519PrivateKey()
        let other = Ed25519PrivateKey()
        let message = [UInt8](utf8: "policy bundle")
        let signature = try signer.signature(for: message)

        #expect(!other.publicKey.isValidSignature(signature, for: message))
    }

    @Test func rejectsSignatureWithAnyFlippedBit() throws {
        let key = Ed25519PrivateKey()
        let message = [UInt8](utf8: "policy bundle")
        let signature = try key.signature(for: message)

        for bit in 0..<(signature.count * 8) {
            var altered = signature
            altered[bit / 8] ^= 1 << UInt8(bit % 8)
            #expect(!key.publicKey.isValidSignature(altered, for: message), "bit \(bit) flipped")
        }
    }

    @Test(arguments: [0, 1, 63, 65, 128])
    func rejectsSignatureOfWrongLength(length: Int) throws {
        let key = Ed25519PrivateKey()
        let message = [UInt8](utf8: "policy bundle")
        var signature = try key.signature(for: message)
        signature = Array((signature + signature + [0]).prefix(length))

        #expect(!key.publicKey.isValidSignature(signature, for: message))
    }

    /// Test vectors 1 and 2 of RFC 8032 section 7.1.
    @Test(arguments: [
        (seed: "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
         publicKey: "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
         message: "",
         signature: "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
            + "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"),
        (seed: "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
         publicKey: "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
         message: "72",
         signature: "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
            + "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"),
    ])
    func matchesRFC8032Vector(seed: String, publicKey: String, message: String, signature: String) throws {
        let key = try Ed25519PrivateKey(rawRepresentation: [UInt8](hex: seed))

        #expect(Hex.encode(key.publicKey.rawRepresentation) == publicKey)
        #expect(Hex.encode(try key.signature(for: [UInt8](hex: message))) == signature)
        #expect(key.publicKey.isValidSignature([UInt8](hex: signature), for: [UInt8](hex: message)))
    }

    @Test func signsConcurrentlyWithOneKey() async throws {
        let key = Ed25519PrivateKey()
        let publicKey = key.publicKey

        let results = try await withThrowingTaskGroup(of: Bool.self) { group in
            for index in 0..<64 {
                group.addTask {
                    let message = [UInt8](utf8: "message \(index)")
                    return publicKey.isValidSignature(try key.signature(for: message), for: message)
                }
            }
            return try await group.reduce(into: [Bool]()) { $0.append($1) }
        }

        #expect(results.count == 64)
        #expect(results.allSatisfy { $0 })
    }

    // MARK: - Generation

    @Test func generatedKeysAreDistinct() {
        var seeds = Set<[UInt8]>()
        var publicKeys = Set<Ed25519PublicKey>()
        for _ in 0..<1_000 {
            let key = Ed25519PrivateKey()
            seeds.insert(key.rawRepresentation)
            publicKeys.insert(key.publicKey)
        }

        #expect(seeds.count == 1_000)
        #expect(publicKeys.count == 1_000)
    }

    // MARK: - Encodings

    @Test func privateKeyRoundTripsThroughSeed() throws {
        let key = Ed25519PrivateKey()
        let restored = try Ed25519PrivateKey(rawRepresentation: key.rawRepresentation)

        #expect(restored.rawRepresentation == key.rawRepresentation)
        #expect(restored.publicKey == key.publicKey)
    }

    @Test func publicKeyRoundTripsThroughRawDERAndPEM() throws {
        let publicKey = Ed25519PrivateKey().publicKey

        #expect(try Ed25519PublicKey(rawRepresentation: publicKey.rawRepresentation) == publicKey)
        #expect(try Ed25519PublicKey(derRepresentation: publicKey.derRepresentation) == publicKey)
        #expect(try Ed25519PublicKey(pemRepresentation: publicKey.pemRepresentation) == publicKey)
    }

    @Test func derIsSubjectPublicKeyInfo() {
        let publicKey = Ed25519PrivateKey().publicKey
        let expectedPrefix = [UInt8](hex: "302a300506032b6570032100")

        #expect(publicKey.derRepresentation.count == 44)
        #expect(Array(publicKey.derRepresentation.prefix(12)) == expectedPrefix)
        #expect(Array(publicKey.derRepresentation.suffix(32)) == publicKey.rawRepresentation)
    }

    @Test func pemWrapsDERInPublicKeyBlock() throws {
        let publicKey = Ed25519PrivateKey().publicKey
        let lines = publicKey.pemRepresentation.split(separator: "\n", omittingEmptySubsequences: false)

        #expect(lines.count == 4)
        #expect(lines.first == "-----BEGIN PUBLIC KEY-----")
        #expect(lines.dropFirst().first.map { Array(Data(base64Encoded: String($0)) ?? Data()) }
            == publicKey.derRepresentation)
        #expect(lines.dropFirst(2).first == "-----END PUBLIC KEY-----")
        #expect(lines.last == "")
    }

    @Test func keyIDIsSHA256OfDER() {
        let publicKey = Ed25519PrivateKey().publicKey

        #expect(publicKey.keyID == SHA256.hex(publicKey.derRepresentation))
        #expect(publicKey.keyID.count == 64)
        #expect(publicKey.keyID == publicKey.keyID.lowercased())
    }

    @Test func keyIDMatchesKnownVector() throws {
        // The public key of RFC 8032 test vector 1. The expected DER, PEM and id were printed by OpenSSL 3.0
        // (`openssl pkey -pubin -inform DER -outform DER | sha256sum`), independently of this code.
        let publicKey = try Ed25519PublicKey(
            rawRepresentation: [UInt8](hex: "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"))

        #expect(Hex.encode(publicKey.derRepresentation)
            == "302a300506032b6570032100d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
        #expect(publicKey.pemRepresentation == """
            -----BEGIN PUBLIC KEY-----
            MCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=
            -----END PUBLIC KEY-----

            """)
        #expect(publicKey.keyID == "06e3fd8fda29bb60ab59557de61edb0aecdb231134be30e75b455f8e1b792fa9")
    }

    // MARK: - Invalid input

    @Test(arguments: [0, 16, 31, 33, 64])
    func rejectsSeedOfWrongLength(length: Int) {
        #expect(throws: SigningError.invalidKeyLength(kind: "Ed25519 private key", expected: 32, actual: length)) {
            try Ed25519PrivateKey(rawRepresentation: [UInt8](repeating: 7, count: length))
        }
    }

    @Test(arguments: [0, 31, 33, 44])
    func rejectsRawPublicKeyOfWrongLength(length: Int) {
        #expect(throws: SigningError.invalidKeyLength(kind: "Ed25519 public key", expected: 32, actual: length)) {
            try Ed25519PublicKey(rawRepresentation: [UInt8](repeating: 7, count: length))
        }
    }

    @Test func rejectsX25519DER() {
        // SubjectPublicKeyInfo with the X25519 OID 1.3.101.110 (RFC 8410): well-formed, wrong algorithm.
        let der = [UInt8](hex: "302a300506032b656e032100") + [UInt8](repeating: 9, count: 32)

        #expect(throws: SigningError.invalidKeyEncoding(reason: "the key is of type X25519, not ED25519")) {
            try Ed25519PublicKey(derRepresentation: der)
        }
    }

    @Test(arguments: [
        ("empty", [UInt8]()),
        ("truncated", Array([UInt8](hex: "302a300506032b6570032100").prefix(20))),
        ("garbage", [UInt8](utf8: "not a key at all")),
        ("raw key instead of DER", [UInt8](repeating: 1, count: 32)),
    ])
    func rejectsUnreadableDER(name: String, der: [UInt8]) {
        #expect(throws: SigningError.self, "\(name)") {
            try Ed25519PublicKey(derRepresentation: der)
        }
    }

    @Test func rejectsBytesAfterDER() {
        let der = Ed25519PrivateKey().publicKey.derRepresentation + [0]

        #expect(throws: SigningError.invalidKeyEncoding(reason: "1 bytes follow the SubjectPublicKeyInfo")) {
            try Ed25519PublicKey(derRepresentation: der)
        }
    }

    @Test func rejectsPrivateKeyPEM() {
        let pem = pkcs8PEM(seed: Ed25519PrivateKey().rawRepresentation)

        #expect(throws: SigningError.self) {
            try Ed25519PublicKey(pemRepresentation: pem)
        }
    }

    @Test func rejectsX25519PEM() {
        let der = [UInt8](hex: "302a300506032b656e032100") + [UInt8](repeating: 9, count: 32)
        let pem = "-----BEGIN PUBLIC KEY-----\n" + Data(der).base64EncodedString() + "\n-----END PUBLIC KEY-----\n"

        #expect(throws: SigningError.invalidKeyEncoding(reason: "the key is of type X25519, not ED25519")) {
            try Ed25519PublicKey(pemRepresentation: pem)
        }
    }

    @Test(arguments: ["", "hello", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"])
    func rejectsUnreadablePEM(pem: String) {
        #expect(throws: SigningError.self) {
            try Ed25519PublicKey(pemRepresentation: pem)
        }
    }

    @Test func errorDescriptionsCarryNoKeyMaterial() throws {
        let seed = [UInt8](repeating: 0xab, count: 31)
        do {
            _ = try Ed25519PrivateKey(rawRepresentation: seed)
            Issue.record("a 31-byte seed was accepted")
        } catch {
            #expect(!error.description.contains("abab"))
            #expect(error.description == "invalid Ed25519 private key length: expected 32 bytes, got 31")
        }
    }

    @Test func failedVerificationLeavesNoOpenSSLError() throws {
        let key = Ed25519PrivateKey()
        var signature = try key.signature(for: [1])
        signature[0] ^= 1
        _ = key.publicKey.isValidSignature(signature, for: [1])

        #expect(OpenSSLErrorQueue.takeFirstMessage() == "OpenSSL queued no error")
    }
}
