import Foundation
import Signing
import Testing

/// Signing-key rotations as a polling agent receives them: each rotation is announced, overlaps and finishes
/// on its own, and a verifier pinned to the first key follows every one of them.
@Suite struct SigningKeyRotationTests {
    static let oneSecondOverlap = ["PERIMETER_SIGNING_KEY_OVERLAP": "1s"]

    @Test func pinnedVerifierFollowsThreeRotations() throws {
        let server = try RunningServer(environment: Self.oneSecondOverlap)
        defer { server.stop() }
        let client = server.client

        let firstKeys = try SigningKeyAPI.keys(client)
        #expect(firstKeys.count == 1)
        let pinned = try Ed25519PublicKey(pemRepresentation: try #require(firstKeys.first?["public_key_pem"] as? String))
        var verifier = Verifier(trustedKeys: [pinned], expectedEnvironment: "default")
        let first = try client.request("GET", "/v1/environments/default/bundle")
        #expect(try SigningKeyAPI.isAccepted(verifier.verify(first.body, now: Date())))
        var keyIDs = [pinned.keyID]

        for round in 1...3 {
            let held = try #require(verifier.held?.version)
            let rotation = try client.request("POST", "/v1/signing-keys/rotate")
            #expect(rotation.status == 202, "round \(round): \(rotation.text)")
            let newKeyID = try #require(try rotation.json()["key_id"] as? String)
            #expect(!keyIDs.contains(newKeyID))
            try SigningKeyAPI.waitForRotationToFinish(client, newKeyID: newKeyID)
            keyIDs.append(newKeyID)

            let current = try SigningKeyAPI.currentVersion(client, environment: "default")
            #expect(current == held + 3, "round \(round): announce, activate and retire each publish a version")
            for version in (held + 1)...current {
                let bundle = try client.request("GET", "/v1/environments/default/bundles/\(version)")
                #expect(bundle.status == 200, "round \(round), version \(version): \(bundle.text)")
                do {
                    let outcome = try verifier.verify(bundle.body, now: Date())
                    #expect(SigningKeyAPI.isAccepted(outcome), "round \(round), version \(version): \(outcome)")
                } catch {
                    Issue.record("round \(round), version \(version) was rejected: \(error)")
                }
            }
            #expect(verifier.held?.version == current)
            #expect(verifier.trustedKeys.map(\.keyID) == [newKeyID], "round \(round)")
        }

        // Every key but the newest is retired, and the server lists all four.
        let states = try SigningKeyAPI.keys(client).map { ($0["key_id"] as? String ?? "", $0["state"] as? String ?? "") }
        #expect(states.map(\.0).sorted() == keyIDs.sorted())
        #expect(states.filter { $0.1 == "active" }.map(\.0) == [keyIDs[3]])
        #expect(states.filter { $0.1 == "retired" }.count == 3)
    }

    @Test func bundleSignedByUnannouncedKeyIsRejected() throws {
        let server = try RunningServer(environment: Self.oneSecondOverlap)
        defer { server.stop() }
        let client = server.client
        let pem = try #require(try SigningKeyAPI.keys(client).first?["public_key_pem"] as? String)
        var verifier = Verifier(trustedKeys: [try Ed25519PublicKey(pemRepresentation: pem)], expectedEnvironment: "default")
        let bundle = try client.request("GET", "/v1/environments/default/bundle")
        #expect(try SigningKeyAPI.isAccepted(verifier.verify(bundle.body, now: Date())))
        let held = try #require(verifier.held)
        let trusted = verifier.trustedKeys

        // A real payload with a higher version, signed by a key that no bundle announced.
        let rogue = Ed25519PrivateKey()
        let forged = try SigningKeyAPI.forge(from: bundle.body, version: held.version + 1, signer: rogue)
        #expect(throws: VerificationError.unknownKeyID([rogue.publicKey.keyID])) {
            try verifier.verify(forged, now: Date())
        }

        // Announcing itself in the payload it signs does not help the rogue key.
        let selfAnnounced = try SigningKeyAPI.forge(from: bundle.body, version: held.version + 1, signer: rogue,
                                                    announcing: rogue.publicKey)
        #expect(throws: VerificationError.unknownKeyID([rogue.publicKey.keyID])) {
            try verifier.verify(selfAnnounced, now: Date())
        }

        #expect(verifier.held == held)
        #expect(verifier.trustedKeys == trusted)
    }

    @Test func rotationStepsPublishEveryEnvironment() throws {
        let server = try RunningServer(environment: Self.oneSecondOverlap)
        defer { server.stop() }
        let client = server.client
        #expect(try client.request("PUT", "/v1/environments/staging").status == 201)
        let oldKeyID = try #require(try SigningKeyAPI.keys(client).first?["key_id"] as? String)
        let before = [
            "default": try SigningKeyAPI.currentVersion(client, environment: "default"),
            "staging": try SigningKeyAPI.currentVersion(client, environment: "staging"),
        ]

        // Starting just after a second boundary gives the announced state most of a second to be seen.
        SigningKeyAPI.waitForStartOfSecond()
        let rotation = try client.request("POST", "/v1/signing-keys/rotate")
        #expect(rotation.status == 202, "\(rotation.text)")
        let newKeyID = try #require(try rotation.json()["key_id"] as? String)
        let second = try client.request("POST", "/v1/signing-keys/rotate")
        #expect(second.status == 409, "a second rotation while one runs: \(second.text)")

        // Record each distinct set of states until the old key is retired.
        var phases: [[String: String]] = []
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            var states: [String: String] = [:]
            for key in try SigningKeyAPI.keys(client) {
                states[key["key_id"] as? String ?? ""] = key["state"] as? String
            }
            if phases.last != states { phases.append(states) }
            if states[oldKeyID] == "retired" { break }
            Thread.sleep(forTimeInterval: 0.02)
        }
        #expect(phases == [
            [oldKeyID: "active", newKeyID: "next"],
            [oldKeyID: "active", newKeyID: "active"],
            [oldKeyID: "retired", newKeyID: "active"],
        ])

        // Each step published one version of every environment, announcing the keys of that step.
        for (environment, start) in before.sorted(by: { $0.key < $1.key }) {
            #expect(try SigningKeyAPI.currentVersion(client, environment: environment) == start + 3, "\(environment)")
            let expectedAnnouncements = [
                [oldKeyID: "active", newKeyID: "next"],
                [oldKeyID: "active", newKeyID: "active"],
                [newKeyID: "active"],
            ]
            let expectedSigners = [[oldKeyID], [oldKeyID, newKeyID].sorted(), [newKeyID]]
            for step in 0..<3 {
                let version = start + 1 + step
                let response = try client.request("GET", "/v1/environments/\(environment)/bundles/\(version)")
                #expect(response.status == 200, "\(environment) version \(version): \(response.text)")
                let envelope = try Envelope(decoding: response.body)
                let header = try BundleHeader(payload: envelope.payload)
                #expect(header.version == version)
                var announced: [String: String] = [:]
                for key in header.signingKeys { announced[key.publicKey.keyID] = key.state.rawValue }
                #expect(announced == expectedAnnouncements[step], "\(environment) version \(version)")
                #expect(envelope.signatures.map(\.keyID).sorted() == expectedSigners[step], "\(environment) version \(version)")
            }
        }
    }
}

// MARK: - Helpers

/// Calls to the signing-key routes and the bundle history.
enum SigningKeyAPI {
    static func keys(_ client: TestHTTPClient) throws -> [[String: Any]] {
        let response = try client.request("GET", "/v1/signing-keys")
        guard response.status == 200, let keys = try response.json()["keys"] as? [[String: Any]] else {
            throw TestFailure("GET /v1/signing-keys returned \(response.status): \(response.text)")
        }
        return keys
    }

    static func currentVersion(_ client: TestHTTPClient, environment: String) throws -> Int {
        let response = try client.request("GET", "/v1/environments/\(environment)")
        guard response.status == 200, let version = try response.json()["version"] as? Int else {
            throw TestFailure("GET /v1/environments/\(environment) returned \(response.status): \(response.text)")
        }
        return version
    }

    /// Polls until `newKeyID` is the only active key and every other key is retired, for at most ten seconds.
    static func waitForRotationToFinish(_ client: TestHTTPClient, newKeyID: String) throws {
        let deadline = Date().addingTimeInterval(10)
        while true {
            let keys = try keys(client)
            let active = keys.filter { $0["state"] as? String == "active" }.compactMap { $0["key_id"] as? String }
            let others = keys.filter { $0["key_id"] as? String != newKeyID }
            if active == [newKeyID], others.allSatisfy({ $0["state"] as? String == "retired" }) { return }
            guard Date() < deadline else {
                throw TestFailure("the rotation to \(newKeyID) did not finish within 10 s; keys: \(keys)")
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
    }

    static func waitForStartOfSecond() {
        let fraction = Date().timeIntervalSince1970.truncatingRemainder(dividingBy: 1)
        if fraction > 0.2 { Thread.sleep(forTimeInterval: 1.02 - fraction) }
    }

    static func isAccepted(_ outcome: VerificationOutcome) -> Bool {
        if case .accepted = outcome { return true }
        return false
    }

    /// Re-signs the payload of `envelopeBytes` with `signer`, raising its version, and optionally replacing
    /// the announced keys with `announcing` as the only active key.
    static func forge(from envelopeBytes: [UInt8], version: Int, signer: Ed25519PrivateKey,
                      announcing: Ed25519PublicKey? = nil) throws -> [UInt8] {
        let envelope = try Envelope(decoding: envelopeBytes)
        guard var payload = try JSONSerialization.jsonObject(with: Data(envelope.payload)) as? [String: Any] else {
            throw TestFailure("the bundle payload is not a JSON object")
        }
        payload["version"] = version
        if let announcing {
            payload["signing_keys"] = [[
                "key_id": announcing.keyID, "algorithm": "ed25519", "state": "active",
                "public_key": Data(announcing.derRepresentation).base64EncodedString(),
            ]]
        }
        let bytes = Array(try JSONSerialization.data(withJSONObject: payload, options: [.sortedKeys]))
        return try Envelope.sign(payload: bytes, payloadType: envelope.payloadType, with: [signer]).encoded()
    }
}
