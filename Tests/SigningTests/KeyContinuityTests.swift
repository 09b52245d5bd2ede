import Foundation
import Signing
import Testing

/// A verifier that follows the server's signing-key rotations through the keys that bundles announce.
///
/// A rotation from an old key to a new one takes three bundles after the first. The old key signs and
/// announces the new key as `next`. Then both keys sign while both are `active` (or the old one is
/// `retired`). Finally the new key signs alone and is the only key announced.
@Suite struct KeyContinuityTests {
    /// The verification time, 2024-05-01T12:00:00Z. Bundles are issued an hour before it and expire a day
    /// after it unless a test sets another expiry.
    static let now = Date(timeIntervalSince1970: 1_714_564_800)

    static let k1 = Ed25519PrivateKey()
    static let k2 = Ed25519PrivateKey()
    static let k3 = Ed25519PrivateKey()
    static let k4 = Ed25519PrivateKey()

    // MARK: - Rotations

    @Test func followsThreeRotationsFromFirstPinnedKey() throws {
        let (k1, k2, k3, k4) = (Self.k1, Self.k2, Self.k3, Self.k4)
        var verifier = Verifier(trustedKeys: [k1.publicKey], expectedEnvironment: "prod")

        // Step 1: K1 is the only key.
        #expect(try verifier.verify(try Self.bundle(version: 1, announcing: [Self.entry(k1, "active")],
                                                    signedBy: [k1]), now: Self.now)
            == .accepted(try #require(verifier.held)))
        #expect(Self.keyIDs(verifier) == [k1.publicKey.keyID])

        // The state of the old key in the overlap bundle: the server may keep it active or retire it there.
        let rotations: [(old: Ed25519PrivateKey, new: Ed25519PrivateKey, overlapState: String)] = [
            (k1, k2, "active"),
            (k2, k3, "retired"),
            (k3, k4, "active"),
        ]
        var version = 1
        for (number, rotation) in rotations.enumerated() {
            let (old, new) = (rotation.old, rotation.new)
            let oldID = old.publicKey.keyID
            let newID = new.publicKey.keyID

            // Step 2: the old key signs and announces the new key as next.
            version += 1
            let announcing = try Self.bundle(
                version: version, announcing: [Self.entry(old, "active"), Self.entry(new, "next")], signedBy: [old])
            #expect(try verifier.verify(announcing, now: Self.now) == .accepted(try #require(verifier.held)),
                    "rotation \(number + 1), step 2")
            #expect(Self.keyIDs(verifier) == [oldID, newID], "rotation \(number + 1), step 2")

            // Step 3: both keys sign.
            version += 1
            let overlap = try Self.bundle(
                version: version, announcing: [Self.entry(old, rotation.overlapState), Self.entry(new, "active")],
                signedBy: [old, new])
            #expect(try verifier.verify(overlap, now: Self.now) == .accepted(try #require(verifier.held)),
                    "rotation \(number + 1), step 3")
            let expectedAfterOverlap = rotation.overlapState == "active" ? [oldID, newID] : [newID]
            #expect(Self.keyIDs(verifier) == expectedAfterOverlap, "rotation \(number + 1), step 3")

            // Step 4: the new key signs alone and is the only key announced.
            version += 1
            let retired = try Self.bundle(version: version, announcing: [Self.entry(new, "active")], signedBy: [new])
            #expect(try verifier.verify(retired, now: Self.now) == .accepted(try #require(verifier.held)),
                    "rotation \(number + 1), step 4")
            #expect(Self.keyIDs(verifier) == [newID], "rotation \(number + 1), step 4")
        }

        #expect(verifier.held?.version == 10)
        #expect(verifier.trustedKeys == [k4.publicKey])
    }

    @Test func acceptsBundleSignedByNextKeyAlone() throws {
        var verifier = Verifier(trustedKeys: [Self.k1.publicKey])
        let announced = [Self.entry(Self.k1, "active"), Self.entry(Self.k2, "next")]
        _ = try verifier.verify(try Self.bundle(version: 1, announcing: announced, signedBy: [Self.k1]), now: Self.now)

        let outcome = try verifier.verify(try Self.bundle(version: 2, announcing: announced, signedBy: [Self.k2]),
                                          now: Self.now)

        #expect(outcome == .accepted(try #require(verifier.held)))
        #expect(verifier.held?.version == 2)
    }

    @Test func unchangedBundleLeavesTrustSet() throws {
        var verifier = Verifier(trustedKeys: [Self.k1.publicKey])
        let announced = [Self.entry(Self.k1, "active"), Self.entry(Self.k2, "next")]
        let bytes = try Self.bundle(version: 1, announcing: announced, signedBy: [Self.k1])
        _ = try verifier.verify(bytes, now: Self.now)
        let held = try #require(verifier.held)

        // A trust set narrowed by hand differs from what the bundle announces, so a change would show.
        verifier.trustedKeys = [Self.k1.publicKey]
        let resigned = try Self.bundle(version: 1, announcing: announced, signedBy: [Self.k1, Self.k2])

        #expect(try verifier.verify(bytes, now: Self.now) == .unchanged(held))
        #expect(try verifier.verify(resigned, now: Self.now) == .unchanged(held))
        #expect(verifier.trustedKeys == [Self.k1.publicKey])
    }

    @Test func missingOrEmptyAnnouncementKeepsTrustSet() throws {
        var verifier = Verifier(trustedKeys: [Self.k1.publicKey])
        let announced = [Self.entry(Self.k1, "active"), Self.entry(Self.k2, "next")]
        _ = try verifier.verify(try Self.bundle(version: 1, announcing: announced, signedBy: [Self.k1]), now: Self.now)
        let trusted = [Self.k1.publicKey.keyID, Self.k2.publicKey.keyID]

        let empty = try Self.bundle(version: 2, signingKeys: "[]", signedBy: [Self.k1])
        #expect(try verifier.verify(empty, now: Self.now) == .accepted(try #require(verifier.held)))
        #expect(Self.keyIDs(verifier) == trusted)

        let missing = try Self.bundle(version: 3, signingKeys: nil, signedBy: [Self.k2])
        #expect(try verifier.verify(missing, now: Self.now) == .accepted(try #require(verifier.held)))
        #expect(Self.keyIDs(verifier) == trusted)
        #expect(verifier.held?.signingKeys == [])
    }

    @Test func headerListsAnnouncedKeysInOrder() throws {
        var verifier = Verifier(trustedKeys: [Self.k1.publicKey])
        let announced = [Self.entry(Self.k3, "retired"), Self.entry(Self.k1, "active"), Self.entry(Self.k2, "next")]

        _ = try verifier.verify(try Self.bundle(version: 1, announcing: announced, signedBy: [Self.k1]), now: Self.now)

        let keys = try #require(verifier.held?.signingKeys)
        #expect(keys.map(\.publicKey) == [Self.k3.publicKey, Self.k1.publicKey, Self.k2.publicKey])
        #expect(keys.map(\.state) == [.retired, .active, .next])
        #expect(verifier.trustedKeys == [Self.k1.publicKey, Self.k2.publicKey])
    }

    // MARK: - Keys that are not trusted

    @Test func rejectsUnannouncedKeyBeforeRotation() throws {
        var verifier = Verifier(trustedKeys: [Self.k1.publicKey])
        _ = try verifier.verify(try Self.bundle(version: 1, announcing: [Self.entry(Self.k1, "active")],
                                                signedBy: [Self.k1]), now: Self.now)
        let unannounced = try Self.bundle(version: 2, announcing: [Self.entry(Self.k2, "active")], signedBy: [Self.k2])

        #expect(throws: VerificationError.unknownKeyID([Self.k2.publicKey.keyID])) {
            try verifier.verify(unannounced, now: Self.now)
        }
        #expect(verifier.trustedKeys == [Self.k1.publicKey])
        #expect(verifier.held?.version == 1)
    }

    @Test func rejectsUnannouncedKeyAfterRotation() throws {
        var verifier = Verifier(trustedKeys: [Self.k1.publicKey])
        try Self.rotate(&verifier, from: Self.k1, to: Self.k2, firstVersion: 1)
        #expect(verifier.trustedKeys == [Self.k2.publicKey])
        let unannounced = try Self.bundle(version: 5, announcing: [Self.entry(Self.k3, "active")], signedBy: [Self.k3])

        #expect(throws: VerificationError.unknownKeyID([Self.k3.publicKey.keyID])) {
            try verifier.verify(unannounced, now: Self.now)
        }
        #expect(verifier.trustedKeys == [Self.k2.publicKey])
        #expect(verifier.held?.version == 4)

        let next = try Self.bundle(version: 5, announcing: [Self.entry(Self.k2, "active")], signedBy: [Self.k2])
        #expect(try verifier.verify(next, now: Self.now) == .accepted(try #require(verifier.held)))
    }

    @Test func rejectsKeyThatAnnouncesItself() throws {
        // K2 was never announced by a bundle signed by K1, so announcing itself does not make it trusted.
        var verifier = Verifier(trustedKeys: [Self.k1.publicKey])
        let selfAnnounced = try Self.bundle(
            version: 1, announcing: [Self.entry(Self.k1, "active"), Self.entry(Self.k2, "active")],
            signedBy: [Self.k2])

        #expect(throws: VerificationError.unknownKeyID([Self.k2.publicKey.keyID])) {
            try verifier.verify(selfAnnounced, now: Self.now)
        }
        #expect(verifier.trustedKeys == [Self.k1.publicKey])
        #expect(verifier.held == nil)
    }

    @Test func rejectsKeyNoLongerAnnounced() throws {
        var verifier = Verifier(trustedKeys: [Self.k1.publicKey])
        try Self.rotate(&verifier, from: Self.k1, to: Self.k2, firstVersion: 1)
        let signedByOldKey = try Self.bundle(version: 5, announcing: [Self.entry(Self.k1, "active")],
                                             signedBy: [Self.k1])

        #expect(throws: VerificationError.unknownKeyID([Self.k1.publicKey.keyID])) {
            try verifier.verify(signedByOldKey, now: Self.now)
        }
        #expect(verifier.trustedKeys == [Self.k2.publicKey])
    }

    @Test func rejectsKeyAnnouncedAsRetired() throws {
        var verifier = Verifier(trustedKeys: [Self.k1.publicKey])
        let announcing = try Self.bundle(
            version: 1, announcing: [Self.entry(Self.k1, "active"), Self.entry(Self.k2, "next")], signedBy: [Self.k1])
        let retiring = try Self.bundle(
            version: 2, announcing: [Self.entry(Self.k1, "retired"), Self.entry(Self.k2, "active")],
            signedBy: [Self.k1, Self.k2])
        _ = try verifier.verify(announcing, now: Self.now)
        _ = try verifier.verify(retiring, now: Self.now)
        #expect(verifier.trustedKeys == [Self.k2.publicKey])
        let signedByRetiredKey = try Self.bundle(
            version: 3, announcing: [Self.entry(Self.k1, "active"), Self.entry(Self.k2, "active")], signedBy: [Self.k1])

        #expect(throws: VerificationError.unknownKeyID([Self.k1.publicKey.keyID])) {
            try verifier.verify(signedByRetiredKey, now: Self.now)
        }
        #expect(verifier.trustedKeys == [Self.k2.publicKey])
        #expect(verifier.held?.version == 2)
    }

    // MARK: - Malformed announcements

    @Test func rejectsAnnouncementWithOtherKeysID() throws {
        var verifier = Verifier(trustedKeys: [Self.k1.publicKey])
        _ = try verifier.verify(try Self.bundle(version: 1, announcing: [Self.entry(Self.k1, "active")],
                                                signedBy: [Self.k1]), now: Self.now)
        let held = try #require(verifier.held)
        // K2's public key under K3's key id, in a bundle that K1 signed properly.
        let tampered = try Self.bundle(
            version: 2,
            announcing: [Self.entry(Self.k1, "active"),
                         Self.entry(Self.k2, "next", keyID: Self.k3.publicKey.keyID)],
            signedBy: [Self.k1])

        #expect(throws: VerificationError.malformedPayload(
            "field signing_keys[1].key_id \(Self.k3.publicKey.keyID) is not the SHA-256 of its public_key, "
                + "which is \(Self.k2.publicKey.keyID)")) {
            try verifier.verify(tampered, now: Self.now)
        }
        #expect(verifier.trustedKeys == [Self.k1.publicKey])
        #expect(verifier.held == held)

        let signedByK2 = try Self.bundle(version: 2, announcing: [Self.entry(Self.k2, "active")], signedBy: [Self.k2])
        #expect(throws: VerificationError.unknownKeyID([Self.k2.publicKey.keyID])) {
            try verifier.verify(signedByK2, now: Self.now)
        }
    }

    @Test(arguments: [
        ("key id of another key", "[\(entry(k1, "active", keyID: k2.publicKey.keyID))]",
         "field signing_keys[0].key_id \(k2.publicKey.keyID) is not the SHA-256 of its public_key, "
            + "which is \(k1.publicKey.keyID)"),
        ("upper-case key id", "[\(entry(k1, "active", keyID: k1.publicKey.keyID.uppercased()))]",
         "field signing_keys[0].key_id \(k1.publicKey.keyID.uppercased()) is not the SHA-256 of its "
            + "public_key, which is \(k1.publicKey.keyID)"),
        ("other algorithm", "[\(entry(k1, "active", algorithm: "Ed25519"))]",
         #"field signing_keys[0].algorithm is "Ed25519" but must be "ed25519""#),
        ("unknown state", "[\(entry(k1, "revoked"))]",
         #"field signing_keys[0].state is "revoked" but must be one of next, active, retired"#),
        ("public key not Base64", "[\(entry(k1, "active", publicKey: "MCow!BQYDK2VwAyEA"))]",
         "field signing_keys[0].public_key is not valid Base64"),
        ("X25519 public key", "[\(entry(k1, "active", publicKey: x25519PublicKey))]",
         "field signing_keys[0].public_key is not an Ed25519 public key: invalid public key encoding: "
            + "the key is of type X25519, not ED25519"),
        ("missing key id", #"[{"algorithm":"ed25519","public_key":"MCow","state":"active"}]"#,
         "missing field signing_keys[0].key_id"),
        ("null list", "null", "field signing_keys is null but must be an array"),
        ("object instead of list", "{}", "field signing_keys must be an array"),
        ("key announced twice", "[\(entry(k1, "active")),\(entry(k1, "next"))]",
         "field signing_keys[1] has duplicate key id \(k1.publicKey.keyID), first announced in signing_keys[0]"),
        ("only retired keys", "[\(entry(k1, "retired")),\(entry(k2, "retired"))]",
         "field signing_keys has no key with state next or active, only retired keys"),
    ])
    func rejectsMalformedAnnouncement(name: String, signingKeys: String, reason: String) throws {
        var verifier = Verifier(trustedKeys: [Self.k1.publicKey])
        let bytes = try Self.bundle(version: 1, signingKeys: signingKeys, signedBy: [Self.k1])

        #expect(throws: VerificationError.malformedPayload(reason), "\(name)") {
            try verifier.verify(bytes, now: Self.now)
        }
        #expect(verifier.trustedKeys == [Self.k1.publicKey], "\(name)")
        #expect(verifier.held == nil, "\(name)")
    }

    // MARK: - Failures and restored state

    @Test func failureKeepsTrustSetAndHeldBundle() throws {
        var verifier = Verifier(trustedKeys: [Self.k1.publicKey])
        let announced = [Self.entry(Self.k1, "active"), Self.entry(Self.k2, "next")]
        _ = try verifier.verify(try Self.bundle(version: 2, announcing: announced, signedBy: [Self.k1]), now: Self.now)
        let held = try #require(verifier.held)
        let trusted = [Self.k1.publicKey, Self.k2.publicKey]

        // Each bundle announces K3 alone, so accepting any of them would replace the trust set.
        let toK3 = [Self.entry(Self.k3, "active")]
        let signedPayload = Self.payload(version: 3, signingKeys: "[\(Self.entry(Self.k2, "active"))]")
        var tampered = try Envelope.sign(payload: signedPayload, payloadType: Verifier.bundlePayloadType,
                                         with: [Self.k1])
        tampered.payload = Self.payload(version: 3, signingKeys: "[\(toK3[0])]")
        let failures: [(String, [UInt8], VerificationError)] = [
            ("rollback", try Self.bundle(version: 1, announcing: toK3, signedBy: [Self.k1]),
             .rollback(held: 2, received: 1)),
            ("conflicting version", try Self.bundle(version: 2, announcing: toK3, signedBy: [Self.k1]),
             .conflictingVersion(2)),
            ("expired", try Self.bundle(version: 3, announcing: toK3, signedBy: [Self.k1],
                                        expiresAt: "2024-05-01T11:30:00Z"),
             .expired(expiresAt: Date(timeIntervalSince1970: 1_714_563_000))),
            ("other environment", try Self.bundle(version: 3, announcing: toK3, signedBy: [Self.k1],
                                                  environment: "staging"),
             .environmentMismatch(expected: "prod", received: "staging")),
            ("tampered payload", tampered.encoded(), .invalidSignature(keyID: Self.k1.publicKey.keyID)),
            ("unknown key", try Self.bundle(version: 3, announcing: toK3, signedBy: [Self.k3]),
             .unknownKeyID([Self.k3.publicKey.keyID])),
            ("malformed announcement",
             try Self.bundle(version: 3, signingKeys: "[\(Self.entry(Self.k3, "active", algorithm: "rsa"))]",
                             signedBy: [Self.k1]),
             .malformedPayload(#"field signing_keys[0].algorithm is "rsa" but must be "ed25519""#)),
        ]

        for (name, bytes, expected) in failures {
            do {
                let outcome = try verifier.verify(bytes, now: Self.now)
                Issue.record("\(name): expected \(expected), got \(outcome)")
            } catch {
                #expect(error == expected, "\(name)")
            }
            #expect(verifier.trustedKeys == trusted, "\(name)")
            #expect(verifier.held == held, "\(name)")
        }

        let next = try Self.bundle(version: 3, announcing: [Self.entry(Self.k2, "active")], signedBy: [Self.k2])
        #expect(try verifier.verify(next, now: Self.now) == .accepted(try #require(verifier.held)))
        #expect(verifier.trustedKeys == [Self.k2.publicKey])
    }

    @Test func restoredTrustSetAndHeldBundleContinue() throws {
        var first = Verifier(trustedKeys: [Self.k1.publicKey])
        try Self.rotate(&first, from: Self.k1, to: Self.k2, firstVersion: 1)
        let savedKeys = first.trustedKeys
        let savedHeld = try #require(first.held)
        let next = try Self.bundle(version: 5, announcing: [Self.entry(Self.k2, "active")], signedBy: [Self.k2])

        var restored = Verifier(trustedKeys: savedKeys)
        restored.held = savedHeld

        #expect(try restored.verify(next, now: Self.now) == .accepted(try #require(restored.held)))
    }

    @Test func heldBundleWithPinnedKeyRejectsRotatedKey() throws {
        var first = Verifier(trustedKeys: [Self.k1.publicKey])
        try Self.rotate(&first, from: Self.k1, to: Self.k2, firstVersion: 1)
        let next = try Self.bundle(version: 5, announcing: [Self.entry(Self.k2, "active")], signedBy: [Self.k2])

        // Restoring only the held bundle, with the key pinned in configuration, loses the rotation.
        var restored = Verifier(trustedKeys: [Self.k1.publicKey])
        restored.held = first.held

        #expect(throws: VerificationError.unknownKeyID([Self.k2.publicKey.keyID])) {
            try restored.verify(next, now: Self.now)
        }
    }

    @Test func trustSetWithoutHeldBundleAcceptsReplay() throws {
        var first = Verifier(trustedKeys: [Self.k1.publicKey])
        try Self.rotate(&first, from: Self.k1, to: Self.k2, firstVersion: 1)
        // The overlap bundle of that rotation: version 3, signed by both keys, announcing both as active.
        let overlap = try Self.bundle(version: 3,
                                      announcing: [Self.entry(Self.k1, "active"), Self.entry(Self.k2, "active")],
                                      signedBy: [Self.k1, Self.k2])

        // Restoring only the trust set drops rollback protection, and the replay trusts K1 again.
        var restored = Verifier(trustedKeys: first.trustedKeys)
        _ = try restored.verify(overlap, now: Self.now)

        #expect(restored.trustedKeys == [Self.k1.publicKey, Self.k2.publicKey])
    }

    // MARK: - Bundles built by hand

    /// The SubjectPublicKeyInfo of an X25519 key (RFC 8410): OID 1.3.101.110 and 32 bytes of 0x09.
    static let x25519PublicKey = Data([0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x03, 0x21, 0x00]
                                      + [UInt8](repeating: 0x09, count: 32)).base64EncodedString()

    /// Returns one `signing_keys` entry for `key`. The other arguments replace a field with a wrong value.
    static func entry(
        _ key: Ed25519PrivateKey,
        _ state: String,
        keyID: String? = nil,
        algorithm: String = "ed25519",
        publicKey: String? = nil
    ) -> String {
        let der = Data(key.publicKey.derRepresentation).base64EncodedString()
        return #"{"key_id":"\#(keyID ?? key.publicKey.keyID)","algorithm":"\#(algorithm)","#
            + #""public_key":"\#(publicKey ?? der)","state":"\#(state)"}"#
    }

    /// Returns a payload whose `signing_keys` member is the raw JSON `signingKeys`, left out when nil.
    static func payload(
        version: Int,
        signingKeys: String?,
        environment: String = "prod",
        expiresAt: String = "2024-05-02T12:00:00Z"
    ) -> [UInt8] {
        var json = #"{"environment":"\#(environment)","version":\#(version),"issued_at":"2024-05-01T11:00:00Z","#
            + #""expires_at":"\#(expiresAt)","ip_allowlist":{"blocks":[]}"#
        if let signingKeys {
            json += #","signing_keys":\#(signingKeys)"#
        }
        return Array((json + "}").utf8)
    }

    static func bundle(
        version: Int,
        signingKeys: String?,
        signedBy keys: [Ed25519PrivateKey],
        environment: String = "prod",
        expiresAt: String = "2024-05-02T12:00:00Z"
    ) throws -> [UInt8] {
        let bytes = payload(version: version, signingKeys: signingKeys, environment: environment, expiresAt: expiresAt)
        return try Envelope.sign(payload: bytes, payloadType: Verifier.bundlePayloadType, with: keys).encoded()
    }

    static func bundle(
        version: Int,
        announcing entries: [String],
        signedBy keys: [Ed25519PrivateKey],
        environment: String = "prod",
        expiresAt: String = "2024-05-02T12:00:00Z"
    ) throws -> [UInt8] {
        try bundle(version: version, signingKeys: "[" + entries.joined(separator: ",") + "]", signedBy: keys,
                   environment: environment, expiresAt: expiresAt)
    }

    /// Feeds the four bundles of one rotation, starting at `firstVersion`, and requires each to be accepted.
    static func rotate(
        _ verifier: inout Verifier,
        from old: Ed25519PrivateKey,
        to new: Ed25519PrivateKey,
        firstVersion: Int
    ) throws {
        let steps: [([String], [Ed25519PrivateKey])] = [
            ([entry(old, "active")], [old]),
            ([entry(old, "active"), entry(new, "next")], [old]),
            ([entry(old, "active"), entry(new, "active")], [old, new]),
            ([entry(new, "active")], [new]),
        ]
        for (offset, (entries, signers)) in steps.enumerated() {
            let bytes = try bundle(version: firstVersion + offset, announcing: entries, signedBy: signers)
            let outcome = try verifier.verify(bytes, now: now)
            try #require(outcome == .accepted(try #require(verifier.held)), "rotation step \(offset + 1)")
        }
    }

    static func keyIDs(_ verifier: Verifier) -> [String] {
        verifier.trustedKeys.map(\.keyID)
    }
}
