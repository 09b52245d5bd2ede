import Foundation
import Testing
@testable import Signing

@Suite struct VerifierTests {
    let signer = Ed25519PrivateKey()
    let stranger = Ed25519PrivateKey()

    func makeVerifier() -> Verifier {
        Verifier(trustedKeys: [signer.publicKey])
    }

    func envelope(version: Int = 1, extra: String = "", signedBy keys: [Ed25519PrivateKey]? = nil) throws -> [UInt8] {
        try BundleFixture.envelope(BundleFixture.payload(version: version, extra: extra),
                                   signedBy: keys ?? [signer])
    }

    // MARK: - Acceptance

    @Test func acceptsBundleSignedByTrustedKey() throws {
        var verifier = makeVerifier()
        let payload = BundleFixture.payload(version: 3)

        let outcome = try verifier.verify(try BundleFixture.envelope(payload, signedBy: [signer]),
                                          now: BundleFixture.now)

        let expected = BundleHeader(
            environment: "prod", version: 3,
            issuedAt: Date(timeIntervalSince1970: 1_714_561_200),
            expiresAt: Date(timeIntervalSince1970: 1_714_651_200),
            payload: payload)
        #expect(outcome == .accepted(expected))
        #expect(verifier.held == expected)
    }

    @Test func acceptsHigherVersion() throws {
        var verifier = makeVerifier()
        _ = try verifier.verify(try envelope(version: 1), now: BundleFixture.now)

        let outcome = try verifier.verify(try envelope(version: 7), now: BundleFixture.now)

        guard case .accepted(let header) = outcome else {
            Issue.record("expected acceptance, got \(outcome)")
            return
        }
        #expect(header.version == 7)
        #expect(verifier.held?.version == 7)
    }

    @Test func reportsUnchangedForSameVersionAndBytes() throws {
        var verifier = makeVerifier()
        let bytes = try envelope(version: 2)
        _ = try verifier.verify(bytes, now: BundleFixture.now)
        let held = try #require(verifier.held)

        // A second signature over the same payload makes different envelope bytes with the same payload.
        let resigned = try envelope(version: 2, signedBy: [signer, stranger])

        #expect(try verifier.verify(bytes, now: BundleFixture.now) == .unchanged(held))
        #expect(try verifier.verify(resigned, now: BundleFixture.now) == .unchanged(held))
        #expect(verifier.held == held)
    }

    @Test func ignoresUntrustedSignatureBesideTrustedOne() throws {
        var verifier = makeVerifier()

        let outcome = try verifier.verify(try envelope(signedBy: [stranger, signer]), now: BundleFixture.now)

        #expect(outcome == .accepted(try #require(verifier.held)))
    }

    @Test func acceptsWhenAnyTrustedSignatureVerifies() throws {
        var verifier = makeVerifier()
        let payload = BundleFixture.payload()
        var envelope = try Envelope.sign(payload: payload, payloadType: Verifier.bundlePayloadType, with: [signer])
        var broken = envelope.signatures[0]
        broken.bytes[0] ^= 0x80
        envelope.signatures.insert(broken, at: 0)

        let outcome = try verifier.verify(envelope.encoded(), now: BundleFixture.now)

        #expect(outcome == .accepted(try #require(verifier.held)))
    }

    @Test func acceptsBundleAfterTrustedKeyRotation() throws {
        var verifier = makeVerifier()
        let next = Ed25519PrivateKey()
        #expect(throws: VerificationError.unknownKeyID([next.publicKey.keyID])) {
            try verifier.verify(try envelope(signedBy: [next]), now: BundleFixture.now)
        }

        verifier.trustedKeys.append(next.publicKey)

        #expect(try verifier.verify(try envelope(signedBy: [next]), now: BundleFixture.now)
            == .accepted(try #require(verifier.held)))
    }

    // MARK: - Rejection, one test per error

    @Test func rejectsMalformedEnvelope() {
        var verifier = makeVerifier()

        #expect(throws: VerificationError.malformedEnvelope("the envelope is not valid JSON")) {
            try verifier.verify([UInt8](utf8: "<html>"), now: BundleFixture.now)
        }
    }

    @Test func rejectsWrongPayloadType() throws {
        var verifier = makeVerifier()
        let bytes = try BundleFixture.envelope(BundleFixture.payload(), signedBy: [signer],
                                               payloadType: "application/vnd.in-toto+json")

        #expect(throws: VerificationError.payloadTypeMismatch(expected: Verifier.bundlePayloadType,
                                                                received: "application/vnd.in-toto+json")) {
            try verifier.verify(bytes, now: BundleFixture.now)
        }
    }

    @Test func rejectsUnknownKeyID() throws {
        var verifier = makeVerifier()

        #expect(throws: VerificationError.unknownKeyID([stranger.publicKey.keyID])) {
            try verifier.verify(try envelope(signedBy: [stranger]), now: BundleFixture.now)
        }
    }

    @Test func rejectsEnvelopeWithoutSignatures() throws {
        var verifier = makeVerifier()
        let bytes = Envelope(payloadType: Verifier.bundlePayloadType, payload: BundleFixture.payload(),
                             signatures: []).encoded()

        #expect(throws: VerificationError.unknownKeyID([])) {
            try verifier.verify(bytes, now: BundleFixture.now)
        }
    }

    @Test func rejectsTamperedPayload() throws {
        var verifier = makeVerifier()
        var envelope = try Envelope.sign(payload: BundleFixture.payload(version: 5),
                                         payloadType: Verifier.bundlePayloadType, with: [signer])
        envelope.payload = BundleFixture.payload(version: 6)

        #expect(throws: VerificationError.invalidSignature(keyID: signer.publicKey.keyID)) {
            try verifier.verify(envelope.encoded(), now: BundleFixture.now)
        }
    }

    @Test func rejectsSignatureOverOtherPayloadType() throws {
        var verifier = makeVerifier()
        var envelope = try Envelope.sign(payload: BundleFixture.payload(), payloadType: "text/plain", with: [signer])
        envelope.payloadType = Verifier.bundlePayloadType

        #expect(throws: VerificationError.invalidSignature(keyID: signer.publicKey.keyID)) {
            try verifier.verify(envelope.encoded(), now: BundleFixture.now)
        }
    }

    @Test(arguments: [
        ("not JSON", "version 1", "the payload is not valid JSON"),
        ("array", "[1, 2]", "the payload must be a JSON object"),
        ("missing environment", PayloadMember.object(environment: nil), "missing field environment"),
        ("empty environment", PayloadMember.object(environment: #""""#), "field environment is empty"),
        ("missing version", PayloadMember.object(version: nil), "missing field version"),
        ("version as string", PayloadMember.object(version: #""1""#), "field version must be an integer"),
        ("version as Boolean", PayloadMember.object(version: "true"), "field version must be an integer"),
        ("version as fraction", PayloadMember.object(version: "1.5"), "field version must be an integer"),
        ("version beyond 64 bits", PayloadMember.object(version: "1e30"), "field version must be an integer"),
        ("version zero", PayloadMember.object(version: "0"), "field version is 0 but must be a positive integer"),
        ("negative version", PayloadMember.object(version: "-4"),
         "field version is -4 but must be a positive integer"),
        ("missing issued_at", PayloadMember.object(issuedAt: nil), "missing field issued_at"),
        ("issued_at with offset", PayloadMember.object(issuedAt: #""2024-05-01T11:00:00+00:00""#),
         "field issued_at is not a UTC timestamp of the form 2024-05-01T12:00:00Z"),
        ("expires_at as number", PayloadMember.object(expiresAt: "1714651200"), "field expires_at must be a string"),
        ("expires_at before issued_at", PayloadMember.object(expiresAt: #""2024-05-01T10:00:00Z""#),
         "field expires_at (2024-05-01T10:00:00Z) is not later than issued_at (2024-05-01T11:00:00Z)"),
    ])
    func rejectsMalformedPayload(name: String, payload: String, reason: String) throws {
        var verifier = makeVerifier()
        let bytes = try BundleFixture.envelope(Array(payload.utf8), signedBy: [signer])

        #expect(throws: VerificationError.malformedPayload(reason), "\(name)") {
            try verifier.verify(bytes, now: BundleFixture.now)
        }
    }

    @Test func rejectsEnvironmentOtherThanHeld() throws {
        var verifier = makeVerifier()
        _ = try verifier.verify(try envelope(version: 1), now: BundleFixture.now)
        let staging = try BundleFixture.envelope(BundleFixture.payload(environment: "staging", version: 2),
                                                 signedBy: [signer])

        #expect(throws: VerificationError.environmentMismatch(expected: "prod", received: "staging")) {
            try verifier.verify(staging, now: BundleFixture.now)
        }
    }

    @Test func rejectsEnvironmentOtherThanExpected() throws {
        var verifier = Verifier(trustedKeys: [signer.publicKey], expectedEnvironment: "staging")

        #expect(throws: VerificationError.environmentMismatch(expected: "staging", received: "prod")) {
            try verifier.verify(try envelope(), now: BundleFixture.now)
        }
        #expect(verifier.held == nil)
    }

    @Test func rejectsExpiredBundle() throws {
        var verifier = makeVerifier()
        let bytes = try BundleFixture.envelope(BundleFixture.payload(expiresAt: "2024-05-01T11:59:59Z"),
                                               signedBy: [signer])

        #expect(throws: VerificationError.expired(expiresAt: Date(timeIntervalSince1970: 1_714_564_799))) {
            try verifier.verify(bytes, now: BundleFixture.now)
        }
    }

    @Test func rejectsBundleExpiringExactlyNow() throws {
        var verifier = makeVerifier()
        let bytes = try BundleFixture.envelope(BundleFixture.payload(expiresAt: "2024-05-01T12:00:00Z"),
                                               signedBy: [signer])

        #expect(throws: VerificationError.expired(expiresAt: BundleFixture.now)) {
            try verifier.verify(bytes, now: BundleFixture.now)
        }
        #expect(try verifier.verify(bytes, now: BundleFixture.now.addingTimeInterval(-1))
            == .accepted(try #require(verifier.held)))
    }

    @Test func rejectsLowerVersion() throws {
        var verifier = makeVerifier()
        _ = try verifier.verify(try envelope(version: 5), now: BundleFixture.now)

        #expect(throws: VerificationError.rollback(held: 5, received: 4)) {
            try verifier.verify(try envelope(version: 4), now: BundleFixture.now)
        }
    }

    @Test func rejectsSameVersionWithOtherContent() throws {
        var verifier = makeVerifier()
        _ = try verifier.verify(try envelope(version: 5), now: BundleFixture.now)
        let conflicting = try envelope(version: 5, extra: #","cookies":{"secure":"auto"}"#)

        #expect(throws: VerificationError.conflictingVersion(5)) {
            try verifier.verify(conflicting, now: BundleFixture.now)
        }
    }

    // MARK: - Held bundle

    @Test func keepsHeldBundleAfterEachFailure() throws {
        var verifier = makeVerifier()
        _ = try verifier.verify(try envelope(version: 5), now: BundleFixture.now)
        let held = try #require(verifier.held)

        var tampered = try Envelope.sign(payload: BundleFixture.payload(version: 6),
                                         payloadType: Verifier.bundlePayloadType, with: [signer])
        tampered.payload = BundleFixture.payload(version: 7)
        let failures: [(String, [UInt8])] = [
            ("malformed envelope", [UInt8](utf8: "{}")),
            ("tampered payload", tampered.encoded()),
            ("unknown key", try envelope(version: 6, signedBy: [stranger])),
            ("rollback", try envelope(version: 4)),
            ("conflicting version", try envelope(version: 5, extra: #","egress":{}"#)),
            ("expired", try BundleFixture.envelope(
                BundleFixture.payload(version: 6, expiresAt: "2024-05-01T11:30:00Z"), signedBy: [signer])),
            ("other environment", try BundleFixture.envelope(
                BundleFixture.payload(environment: "staging", version: 6), signedBy: [signer])),
        ]

        for (name, bytes) in failures {
            #expect(throws: VerificationError.self, "\(name)") {
                try verifier.verify(bytes, now: BundleFixture.now)
            }
            #expect(verifier.held == held, "\(name)")
        }

        #expect(try verifier.verify(try envelope(version: 6), now: BundleFixture.now)
            == .accepted(try #require(verifier.held)))
        #expect(verifier.held?.version == 6)
    }

    @Test func restoredHeldBundleBlocksRollback() throws {
        var verifier = makeVerifier()
        verifier.held = try BundleHeader(payload: BundleFixture.payload(version: 9))

        #expect(throws: VerificationError.rollback(held: 9, received: 8)) {
            try verifier.verify(try envelope(version: 8), now: BundleFixture.now)
        }
    }

    // MARK: - Descriptions

    @Test func descriptionsNameTheValues() {
        let cases: [(VerificationError, [String])] = [
            (.malformedEnvelope("missing field payload"), ["missing field payload"]),
            (.payloadTypeMismatch(expected: "a/b", received: "c/d"), ["\"a/b\"", "\"c/d\""]),
            (.unknownKeyID(["abc", "def"]), ["\"abc\"", "\"def\"", "trusted"]),
            (.unknownKeyID([]), ["no signatures"]),
            (.invalidSignature(keyID: "abc"), ["abc"]),
            (.malformedPayload("missing field version"), ["missing field version"]),
            (.environmentMismatch(expected: "prod", received: "staging"), ["\"prod\"", "\"staging\""]),
            (.expired(expiresAt: BundleFixture.now), ["2024-05-01T12:00:00Z", "clock"]),
            (.rollback(held: 5, received: 4), ["version 4", "version 5"]),
            (.conflictingVersion(5), ["version 5"]),
        ]

        for (error, fragments) in cases {
            for fragment in fragments {
                #expect(error.description.contains(fragment), "\(error.description)")
            }
        }
    }
}

/// Builds payload JSON with one member changed or left out (nil), each value as raw JSON text.
enum PayloadMember {
    static func object(
        environment: String? = #""prod""#,
        version: String? = "1",
        issuedAt: String? = #""2024-05-01T11:00:00Z""#,
        expiresAt: String? = #""2024-05-02T12:00:00Z""#
    ) -> String {
        let members = [
            environment.map { #""environment":\#($0)"# },
            version.map { #""version":\#($0)"# },
            issuedAt.map { #""issued_at":\#($0)"# },
            expiresAt.map { #""expires_at":\#($0)"# },
        ]
        return "{" + members.compactMap { $0 }.joined(separator: ",") + "}"
    }
}
