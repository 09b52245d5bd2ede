import Foundation
import Signing
import Testing

/// The walk a new operator takes: import PostHog's settings, fetch the bundle, verify it.
@Suite struct BundleEndToEndTests {
    static let postHogExample = """
        # From PostHog's self-hosting security docs
        ALLOWED_IP_BLOCKS=192.168.0.0/31,127.0.0.0/25,128.0.0.1
        TRUSTED_PROXIES=10.0.0.1,10.0.0.2
        IS_BEHIND_PROXY=True
        SITE_URL=https://posthog.example.com

        """

    @Test func importedPolicyArrivesInAVerifiedBundle() throws {
        let server = try RunningServer()
        defer { server.stop() }
        let client = server.client

        let imported = try client.request("POST", "/v1/environments/default/import", body: Array(Self.postHogExample.utf8),
                                          contentType: "text/plain")
        #expect(imported.status == 200, "\(imported.text)")
        let summary = try imported.json()
        #expect(summary["version"] as? Int == 2)
        #expect(summary["changed"] as? Bool == true)
        #expect(summary["applied"] as? [String] == ["ALLOWED_IP_BLOCKS", "TRUSTED_PROXIES", "IS_BEHIND_PROXY"])
        #expect(summary["ignored"] as? [String] == ["SITE_URL"])

        let keys = try client.request("GET", "/v1/signing-keys").json()["keys"] as? [[String: Any]] ?? []
        #expect(keys.count == 1)
        let pem = try #require(keys.first?["public_key_pem"] as? String)
        let publicKey = try Ed25519PublicKey(pemRepresentation: pem)
        #expect(keys.first?["key_id"] as? String == publicKey.keyID)

        let bundle = try client.request("GET", "/v1/environments/default/bundle")
        #expect(bundle.status == 200)
        #expect(bundle.header("Content-Type") == "application/vnd.dsse.envelope.v1+json")
        var verifier = Verifier(trustedKeys: [publicKey], expectedEnvironment: "default")
        let outcome = try verifier.verify(bundle.body, now: Date())
        guard case let .accepted(header) = outcome else {
            Issue.record("expected the bundle to be accepted, got \(outcome)")
            return
        }
        #expect(header.version == 2)

        let payload = try #require(try JSONSerialization.jsonObject(with: Data(header.payload)) as? [String: Any])
        #expect(payload["environment"] as? String == "default")
        let allowlist = payload["ip_allowlist"] as? [String: Any]
        #expect(allowlist?["blocks"] as? [String] == ["127.0.0.0/25", "128.0.0.1/32", "192.168.0.0/31"])
        let proxies = payload["trusted_proxies"] as? [String: Any]
        #expect(proxies?["behind_proxy"] as? Bool == true)
        #expect(proxies?["trust_all"] as? Bool == false)
        #expect(proxies?["proxies"] as? [String] == ["10.0.0.1/32", "10.0.0.2/32"])
        #expect((payload["cookies"] as? [String: Any])?["secure"] as? Bool == true)
        #expect(payload["egress"] as? [String: Any] != nil)
        let announced = payload["signing_keys"] as? [[String: Any]]
        #expect(announced?.first?["key_id"] as? String == publicKey.keyID)
        #expect(payload["issued_at"] as? String != nil)
        #expect(payload["expires_at"] as? String != nil)
    }

    @Test func servedBundleVerifiesWithStockOpenSSL() throws {
        let server = try RunningServer()
        defer { server.stop() }
        let client = server.client
        let keys = try client.request("GET", "/v1/signing-keys").json()["keys"] as? [[String: Any]] ?? []
        let pem = try #require(keys.first?["public_key_pem"] as? String)
        let bundle = try client.request("GET", "/v1/environments/default/bundle")
        let envelope = try #require(try JSONSerialization.jsonObject(with: Data(bundle.body)) as? [String: Any])
        let payloadType = try #require(envelope["payloadType"] as? String)
        let payloadText = try #require(envelope["payload"] as? String)
        let payload = try #require(Data(base64Encoded: payloadText))
        let signatures = try #require(envelope["signatures"] as? [[String: Any]])
        let signatureText = try #require(signatures.first?["sig"] as? String)
        let signature = try #require(Data(base64Encoded: signatureText))

        let directory = server.directory
        var pae = Data("DSSEv1 \(payloadType.utf8.count) \(payloadType) \(payload.count) ".utf8)
        pae.append(payload)
        try pae.write(to: directory.appendingPathComponent("pae.bin"))
        try signature.write(to: directory.appendingPathComponent("sig.bin"))
        try pem.write(to: directory.appendingPathComponent("signing-key.pem"), atomically: true, encoding: .utf8)

        let verified = try OpenSSLCommand.run(["pkeyutl", "-verify", "-pubin", "-inkey", "signing-key.pem", "-rawin",
                                               "-in", "pae.bin", "-sigfile", "sig.bin"], in: directory)
        #expect(verified.status == 0, "\(verified.output)")
        #expect(verified.output.contains("Signature Verified Successfully"))

        var tampered = pae
        tampered[tampered.count - 2] ^= 0x01
        try tampered.write(to: directory.appendingPathComponent("pae.bin"))
        let refused = try OpenSSLCommand.run(["pkeyutl", "-verify", "-pubin", "-inkey", "signing-key.pem", "-rawin",
                                              "-in", "pae.bin", "-sigfile", "sig.bin"], in: directory)
        #expect(refused.status != 0)
    }

    @Test func conditionalGetAnswers304WithSameHeaders() throws {
        let server = try RunningServer()
        defer { server.stop() }
        let client = server.client
        let first = try client.request("GET", "/v1/environments/default/bundle")
        let etag = try #require(first.header("ETag"))
        #expect(etag.hasPrefix("\"") && etag.hasSuffix("\""))

        let second = try client.request("GET", "/v1/environments/default/bundle", headers: [("If-None-Match", etag)])
        #expect(second.status == 304)
        #expect(second.header("ETag") == etag)
        #expect(second.header("Content-Type") == first.header("Content-Type"))
        #expect(second.body.isEmpty)

        let stale = try client.request("GET", "/v1/environments/default/bundle", headers: [("If-None-Match", "\"other\"")])
        #expect(stale.status == 200)
    }

    @Test func earlierBundlesAreServedByteForByte() throws {
        let server = try RunningServer()
        defer { server.stop() }
        let client = server.client
        let first = try client.request("GET", "/v1/environments/default/bundle")
        _ = try client.request("PUT", "/v1/environments/default/ip-allowlist", json: #"{"blocks": ["10.0.0.0/8"]}"#)
        let second = try client.request("GET", "/v1/environments/default/bundle")
        #expect(second.body != first.body)

        let versionOne = try client.request("GET", "/v1/environments/default/bundles/1")
        #expect(versionOne.status == 200)
        #expect(versionOne.body == first.body)
        #expect(versionOne.header("ETag") == first.header("ETag"))
        let versionTwo = try client.request("GET", "/v1/environments/default/bundles/2")
        #expect(versionTwo.body == second.body)
        #expect(try client.request("GET", "/v1/environments/default/bundles/3").status == 404)
        #expect(try client.request("GET", "/v1/environments/default/bundles/01").status == 404)
    }

    @Test func bundleIsReissuedAtHalfItsLifetime() throws {
        let server = try RunningServer(arguments: ["--bundle-ttl", "10s"])
        defer { server.stop() }
        let client = server.client
        let first = try client.request("GET", "/v1/environments/default").json()
        #expect(first["version"] as? Int == 1)

        let deadline = Date().addingTimeInterval(12)
        var version = 1
        while Date() < deadline, version == 1 {
            Thread.sleep(forTimeInterval: 0.5)
            version = try client.request("GET", "/v1/environments/default").json()["version"] as? Int ?? 0
        }
        #expect(version == 2)
    }
}

enum OpenSSLCommand {
    /// Runs the stock `openssl` command line; a missing binary fails the test rather than skipping it.
    static func run(_ arguments: [String], in directory: URL) throws -> (status: Int32, output: String) {
        let candidates = ["/usr/bin/openssl", "/usr/local/bin/openssl"]
        guard let path = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw TestFailure("the openssl command line is not installed; scripts/test installs it")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.currentDirectoryURL = directory
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }
}
