import Foundation
import Testing
@testable import Signing

/// Checks keys and signatures against the `openssl` command-line tool, an implementation independent of
/// this module's code. These tests fail, never skip, when /usr/bin/openssl is missing.
@Suite struct OpenSSLInteropTests {
    @Test func pemMatchesOpenSSLForOurKey() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let key = Ed25519PrivateKey()
        try directory.write(Array(pkcs8PEM(seed: key.rawRepresentation).utf8), to: "private.pem")

        let output = try OpenSSLTool.runExpectingSuccess(["pkey", "-in", "private.pem", "-pubout"],
                                                         in: directory.url)

        #expect(output.text == key.publicKey.pemRepresentation)
    }

    @Test func pemAndDERMatchOpenSSLForGeneratedKey() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try OpenSSLTool.runExpectingSuccess(["genpkey", "-algorithm", "ed25519", "-out", "private.pem"],
                                            in: directory.url)
        let privateDER = try OpenSSLTool.runExpectingSuccess(["pkey", "-in", "private.pem", "-outform", "DER"],
                                                             in: directory.url)
        let publicPEM = try OpenSSLTool.runExpectingSuccess(["pkey", "-in", "private.pem", "-pubout"],
                                                            in: directory.url)
        let publicDER = try OpenSSLTool.runExpectingSuccess(
            ["pkey", "-in", "private.pem", "-pubout", "-outform", "DER"], in: directory.url)

        // A PKCS#8 Ed25519 key is 48 bytes of DER that end with the 32-byte seed (RFC 8410 section 7).
        try #require(privateDER.standardOutput.count == 48)
        let key = try Ed25519PrivateKey(rawRepresentation: Array(privateDER.standardOutput.suffix(32)))

        #expect(key.publicKey.pemRepresentation == publicPEM.text)
        #expect(key.publicKey.derRepresentation == publicDER.standardOutput)
        #expect(try Ed25519PublicKey(pemRepresentation: publicPEM.text) == key.publicKey)
        #expect(try Ed25519PublicKey(derRepresentation: publicDER.standardOutput) == key.publicKey)
    }

    @Test func keyIDMatchesOpenSSLDigestOfDER() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let key = Ed25519PrivateKey()
        try directory.write(Array(key.publicKey.pemRepresentation.utf8), to: "public.pem")
        try OpenSSLTool.runExpectingSuccess(
            ["pkey", "-pubin", "-in", "public.pem", "-outform", "DER", "-out", "public.der"], in: directory.url)

        let digest = try OpenSSLTool.runExpectingSuccess(["dgst", "-sha256", "-r", "public.der"], in: directory.url)

        #expect(digest.text.split(separator: " ").first.map(String.init) == key.publicKey.keyID)
    }

    @Test func openSSLVerifiesEnvelopeSignatureOverPAE() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let key = Ed25519PrivateKey()
        let envelope = try Envelope.sign(payload: [UInt8](utf8: #"{"environment":"prod","version":1}"#),
                                         payloadType: Verifier.bundlePayloadType, with: [key])
        let signature = try #require(envelope.signatures.first)
        try directory.write(Array(key.publicKey.pemRepresentation.utf8), to: "public.pem")
        try directory.write(envelope.preAuthenticationEncoding, to: "pae.bin")
        try directory.write(signature.bytes, to: "signature.bin")
        let verifyArguments = ["pkeyutl", "-verify", "-pubin", "-inkey", "public.pem", "-rawin",
                               "-in", "pae.bin", "-sigfile", "signature.bin"]

        let accepted = try OpenSSLTool.run(verifyArguments, in: directory.url)
        #expect(accepted.status == 0, "\(accepted.standardError)")
        #expect(accepted.text.contains("Signature Verified Successfully"))

        var altered = envelope
        altered.payload[altered.payload.count - 2] ^= 0x01
        try directory.write(altered.preAuthenticationEncoding, to: "pae.bin")

        let rejected = try OpenSSLTool.run(verifyArguments, in: directory.url)
        #expect(rejected.status != 0)
        #expect(rejected.text.contains("Signature Verification Failure"))
    }

    @Test func verifierAcceptsBundleSignedByOpenSSL() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try OpenSSLTool.runExpectingSuccess(["genpkey", "-algorithm", "ed25519", "-out", "private.pem"],
                                            in: directory.url)
        let publicPEM = try OpenSSLTool.runExpectingSuccess(["pkey", "-in", "private.pem", "-pubout"],
                                                            in: directory.url)
        let publicKey = try Ed25519PublicKey(pemRepresentation: publicPEM.text)

        let payload = BundleFixture.payload(version: 4)
        let pae = Envelope.preAuthenticationEncoding(payloadType: Verifier.bundlePayloadType, payload: payload)
        try directory.write(pae, to: "pae.bin")
        try OpenSSLTool.runExpectingSuccess(
            ["pkeyutl", "-sign", "-inkey", "private.pem", "-rawin", "-in", "pae.bin", "-out", "signature.bin"],
            in: directory.url)
        let envelope = Envelope(
            payloadType: Verifier.bundlePayloadType, payload: payload,
            signatures: [.init(keyID: publicKey.keyID, bytes: try directory.read("signature.bin"))])

        var verifier = Verifier(trustedKeys: [publicKey])
        let outcome = try verifier.verify(envelope.encoded(), now: BundleFixture.now)

        guard case .accepted(let header) = outcome else {
            Issue.record("expected acceptance, got \(outcome)")
            return
        }
        #expect(header.version == 4)
    }
}
