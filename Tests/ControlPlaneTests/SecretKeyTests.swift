import ControlPlane
import Foundation
import PolicyModel
import Signing
import Synchronization
import Testing

/// Application secret keys through the API: generation, import checks, rotation with a grace period, scopes.
@Suite struct SecretKeyTests {
    // MARK: - Generation

    @Test func generatedKeyIs64LowerCaseHex() throws {
        let server = try RunningServer()
        defer { server.stop() }
        let client = server.client

        let created = try client.request("POST", "/v1/environments/default/secret-keys")
        #expect(created.status == 201, "\(created.text)")
        let metadata = try created.json()
        #expect(metadata["origin"] as? String == "generated")
        #expect(metadata["state"] as? String == "active")

        let current = try SecretKeyAPI.current(client, environment: "default")
        #expect(current.key.utf8.count == 64, "\(current.key)")
        #expect(current.key.utf8.allSatisfy(SecretKeyAPI.isLowerCaseHexDigit), "\(current.key)")
        #expect(current.fallbacks.isEmpty)
        #expect(metadata["fingerprint"] as? String == String(SHA256.hex(Array(current.key.utf8)).prefix(8)))
    }

    @Test func twoHundredRotationsNeverRepeatAKey() throws {
        let server = try RunningServer()
        defer { server.stop() }
        let client = server.client
        #expect(try client.request("POST", "/v1/environments/default/secret-keys").status == 201)
        var values = [try SecretKeyAPI.current(client, environment: "default").key]

        for round in 1...200 {
            let rotated = try client.request("POST", "/v1/environments/default/secret-keys/rotate",
                                             json: #"{"grace": "0s"}"#)
            guard rotated.status == 201 else {
                Issue.record("rotation \(round) returned \(rotated.status): \(rotated.text)")
                return
            }
            let current = try SecretKeyAPI.current(client, environment: "default")
            #expect(!values.contains(current.key), "rotation \(round) repeated an earlier key")
            #expect(current.key.utf8.count == 64, "rotation \(round): \(current.key)")
            #expect(current.key.utf8.allSatisfy(SecretKeyAPI.isLowerCaseHexDigit), "rotation \(round): \(current.key)")
            // Grace "0s" retires the old key at once, so nothing is left to verify with.
            #expect(current.fallbacks.isEmpty, "rotation \(round)")
            values.append(current.key)
        }
        #expect(Set(values).count == 201)

        // 201 keys contain 12,864 hex digits, about 804 of each, so a margin of 200 is over seven standard deviations.
        var digitCounts: [UInt8: Int] = [:]
        for byte in values.joined().utf8 { digitCounts[byte, default: 0] += 1 }
        #expect(digitCounts.count == 16)
        for (digit, count) in digitCounts.sorted(by: { $0.key < $1.key }) {
            #expect((604...1004).contains(count), "digit \(Character(UnicodeScalar(digit))) appears \(count) times")
        }

        let keys = try SecretKeyAPI.metadata(client, environment: "default")
        #expect(keys.count == 201)
        #expect(keys.filter { $0["state"] as? String == "active" }.count == 1)
        #expect(keys.filter { $0["state"] as? String == "retired" }.count == 200)
    }

    // MARK: - Imports

    /// Values an import must reject, each with the reason it is weak.
    static let weakValues: [(reason: String, value: String)] = [
        ("31 characters", "Zq8vW3nR6tY1pL9kD4mX7cB2hF5jG0s"),
        ("placeholder", "changeme-changeme-changeme-changeme"),
        ("placeholder", "your-secret-key-goes-here-0123456789"),
        ("one character repeated", String(repeating: "a", count: 48)),
        ("seven distinct characters", String(repeating: "abcdefg", count: 6)),
    ]

    @Test func importRejectsWeakValuesWithoutQuotingThem() throws {
        #expect(Self.weakValues[0].value.utf8.count == 31)
        let server = try RunningServer()
        defer { server.stop() }
        let client = server.client

        for (reason, value) in Self.weakValues {
            let body = try SecretKeyAPI.valueBody(value)
            let created = try client.request("POST", "/v1/environments/default/secret-keys", json: body)
            try SecretKeyAPI.expectValueRejected(created, value: value, reason: reason)
        }

        // A rejected import changes no row.
        #expect(try SecretKeyAPI.metadata(client, environment: "default").isEmpty)

        #expect(try client.request("POST", "/v1/environments/default/secret-keys").status == 201)
        for (reason, value) in Self.weakValues {
            let body = try SecretKeyAPI.valueBody(value, grace: "1h")
            let rotated = try client.request("POST", "/v1/environments/default/secret-keys/rotate", json: body)
            try SecretKeyAPI.expectValueRejected(rotated, value: value, reason: "rotate, \(reason)")
        }
        #expect(try SecretKeyAPI.metadata(client, environment: "default").count == 1)
    }

    @Test func importRejectsEveryEarlierKeyOfTheEnvironment() throws {
        let server = try RunningServer()
        defer { server.stop() }
        let client = server.client
        let rotate = "/v1/environments/default/secret-keys/rotate"

        #expect(try client.request("POST", "/v1/environments/default/secret-keys").status == 201)
        let first = try SecretKeyAPI.current(client, environment: "default").key
        #expect(try client.request("POST", rotate, json: #"{"grace": "1h"}"#).status == 201)
        let second = try SecretKeyAPI.current(client, environment: "default").key
        #expect(try client.request("POST", rotate, json: #"{"grace": "0s"}"#).status == 201)
        let third = try SecretKeyAPI.current(client, environment: "default").key

        // The first key is verify-only, the second retired, the third active.
        for (state, value) in [("verify-only", first), ("retired", second), ("active", third)] {
            let response = try client.request("POST", rotate, json: try SecretKeyAPI.valueBody(value, grace: "1h"))
            try SecretKeyAPI.expectValueRejected(response, value: value, reason: "repeat of the \(state) key")
        }

        let current = try SecretKeyAPI.current(client, environment: "default")
        #expect(current.key == third)
        #expect(current.fallbacks == [first])
        #expect(try SecretKeyAPI.metadata(client, environment: "default").count == 3)
    }

    @Test func importAcceptsRandomValue() throws {
        let server = try RunningServer()
        defer { server.stop() }
        let client = server.client
        #expect(try client.request("PUT", "/v1/environments/staging").status == 201)

        let value = SecretKeyAPI.randomImportValue()
        let created = try client.request("POST", "/v1/environments/staging/secret-keys",
                                         json: try SecretKeyAPI.valueBody(value))
        #expect(created.status == 201, "\(created.text)")
        #expect(!created.text.contains(value))
        #expect(try created.json()["origin"] as? String == "imported")
        #expect(try SecretKeyAPI.current(client, environment: "staging").key == value)

        #expect(try client.request("POST", "/v1/environments/default/secret-keys").status == 201)
        let generated = try SecretKeyAPI.current(client, environment: "default").key
        let rotatedValue = SecretKeyAPI.randomImportValue()
        let rotated = try client.request("POST", "/v1/environments/default/secret-keys/rotate",
                                         json: try SecretKeyAPI.valueBody(rotatedValue, grace: "1h"))
        #expect(rotated.status == 201, "\(rotated.text)")
        #expect(!rotated.text.contains(rotatedValue))
        #expect(try rotated.json()["origin"] as? String == "imported")
        let current = try SecretKeyAPI.current(client, environment: "default")
        #expect(current.key == rotatedValue)
        #expect(current.fallbacks == [generated])
    }

    // MARK: - Rotation and grace

    /// Runs in process with a clock the test moves, so the grace period passes without waiting for it.
    @Test func oldKeyVerifiesUntilGraceEndsThenRetires() throws {
        let server = try InProcessControlPlane()
        defer { server.stop() }
        let client = server.client

        let first = try client.request("POST", "/v1/environments/default/secret-keys")
        let firstID = try #require(try first.json()["id"] as? String)
        let old = try SecretKeyAPI.current(client, environment: "default").key
        let rotatedAt = server.clock.now
        let rotated = try client.request("POST", "/v1/environments/default/secret-keys/rotate",
                                         json: #"{"grace": "1h"}"#)
        #expect(rotated.status == 201, "\(rotated.text)")
        let new = try SecretKeyAPI.current(client, environment: "default")
        #expect(new.key != old)
        #expect(new.fallbacks == [old])

        let export = try client.request("GET", "/v1/environments/default/exports/dotenv?secrets=true")
        #expect(export.status == 200, "\(export.text)")
        let lines = export.text.split(separator: "\n").map(String.init)
        #expect(lines.contains("SECRET_KEY=\(new.key)"))
        #expect(lines.contains("SECRET_KEY_FALLBACKS=\(old)"))
        #expect(export.header("Cache-Control") == "no-store")

        let oldKey = try #require(try SecretKeyAPI.metadata(client, environment: "default").first { $0["id"] as? String == firstID })
        #expect(oldKey["state"] as? String == "verify_only")
        #expect(oldKey["verify_until"] as? String == rotatedAt.adding(seconds: 3_600).rfc3339)

        // One second before the grace ends, several sweeps leave the old key verify-only.
        server.clock.advance(seconds: 3_599)
        Thread.sleep(forTimeInterval: InProcessControlPlane.sweepInterval * 4)
        #expect(try SecretKeyAPI.current(client, environment: "default").fallbacks == [old])

        server.clock.advance(seconds: 1)
        let retired = try SecretKeyAPI.waitForState("retired", of: firstID, client, environment: "default")
        #expect(retired["retired_at"] as? String == rotatedAt.adding(seconds: 3_600).rfc3339)
        let afterGrace = try SecretKeyAPI.current(client, environment: "default")
        #expect(afterGrace.key == new.key)
        #expect(afterGrace.fallbacks.isEmpty)
        let laterExport = try client.request("GET", "/v1/environments/default/exports/dotenv?secrets=true")
        let laterLines = laterExport.text.split(separator: "\n").map(String.init)
        #expect(laterLines.contains("SECRET_KEY=\(new.key)"))
        #expect(laterLines.contains("SECRET_KEY_FALLBACKS="))
        #expect(!laterExport.text.contains(old))
    }

    @Test func deleteRetiresVerifyOnlyKeyAtOnce() throws {
        let server = try RunningServer()
        defer { server.stop() }
        let client = server.client

        let first = try client.request("POST", "/v1/environments/default/secret-keys")
        let firstID = try #require(try first.json()["id"] as? String)
        let rotated = try client.request("POST", "/v1/environments/default/secret-keys/rotate",
                                         json: #"{"grace": "7d"}"#)
        let secondID = try #require(try rotated.json()["id"] as? String)
        #expect(try SecretKeyAPI.current(client, environment: "default").fallbacks.count == 1)

        let deleted = try client.request("DELETE", "/v1/environments/default/secret-keys/\(firstID)")
        #expect(deleted.status == 204, "\(deleted.text)")
        let retired = try #require(try SecretKeyAPI.metadata(client, environment: "default").first { $0["id"] as? String == firstID })
        #expect(retired["state"] as? String == "retired")
        #expect(retired["retired_at"] is String)
        #expect(try SecretKeyAPI.current(client, environment: "default").fallbacks.isEmpty)

        let activeDeleted = try client.request("DELETE", "/v1/environments/default/secret-keys/\(secondID)")
        #expect(activeDeleted.status == 409, "\(activeDeleted.text)")
        #expect(activeDeleted.header("Content-Type") == "application/problem+json")
        let active = try #require(try SecretKeyAPI.metadata(client, environment: "default").first { $0["id"] as? String == secondID })
        #expect(active["state"] as? String == "active")

        let unknown = try client.request("DELETE", "/v1/environments/default/secret-keys/sk_0000000000000000")
        #expect(unknown.status == 404, "\(unknown.text)")
    }

    // MARK: - Scopes and metadata

    @Test func valuesNeedSecretsScope() throws {
        let server = try RunningServer()
        defer { server.stop() }
        let admin = server.client
        #expect(try admin.request("POST", "/v1/environments/default/secret-keys").status == 201)
        #expect(try admin.request("POST", "/v1/environments/default/secret-keys/rotate",
                                  json: #"{"grace": "1h"}"#).status == 201)
        let values = try SecretKeyAPI.current(admin, environment: "default")

        var reader = admin
        reader.token = try SecretKeyAPI.makeToken(admin, scopes: ["read"])
        let readCurrent = try reader.request("GET", "/v1/environments/default/secret-keys/current")
        #expect(readCurrent.status == 403, "\(readCurrent.text)")
        #expect(!readCurrent.text.contains(values.key))
        let readExport = try reader.request("GET", "/v1/environments/default/exports/dotenv?secrets=true")
        #expect(readExport.status == 403, "\(readExport.text)")
        #expect(!readExport.text.contains(values.key))
        let plainExport = try reader.request("GET", "/v1/environments/default/exports/dotenv")
        #expect(plainExport.status == 200, "\(plainExport.text)")
        #expect(!plainExport.text.contains("SECRET_KEY"))
        let readRotate = try reader.request("POST", "/v1/environments/default/secret-keys/rotate", json: #"{"grace": "1h"}"#)
        #expect(readRotate.status == 403, "\(readRotate.text)")
        let listed = try reader.request("GET", "/v1/environments/default/secret-keys")
        #expect(listed.status == 200, "\(listed.text)")
        #expect(try SecretKeyAPI.metadata(reader, environment: "default").count == 2)

        var keeper = admin
        keeper.token = try SecretKeyAPI.makeToken(admin, scopes: ["secrets"])
        let secretsCurrent = try keeper.request("GET", "/v1/environments/default/secret-keys/current")
        #expect(secretsCurrent.status == 200, "\(secretsCurrent.text)")
        #expect(try secretsCurrent.json()["secret_key"] as? String == values.key)

        // The dotenv export is a read, so with secrets it needs both scopes.
        var deployer = admin
        deployer.token = try SecretKeyAPI.makeToken(admin, scopes: ["read", "secrets"])
        let secretsExport = try deployer.request("GET", "/v1/environments/default/exports/dotenv?secrets=true")
        #expect(secretsExport.status == 200, "\(secretsExport.text)")
        #expect(secretsExport.text.contains("SECRET_KEY=\(values.key)\n"))
        #expect(secretsExport.text.contains("SECRET_KEY_FALLBACKS=\(values.fallbacks.joined(separator: ","))\n"))
    }

    @Test func metadataNeverCarriesValues() throws {
        let server = try RunningServer()
        defer { server.stop() }
        let client = server.client
        let imported = SecretKeyAPI.randomImportValue()

        var responses: [WireResponse] = []
        responses.append(try client.request("POST", "/v1/environments/default/secret-keys",
                                            json: try SecretKeyAPI.valueBody(imported)))
        responses.append(try client.request("POST", "/v1/environments/default/secret-keys/rotate",
                                            json: #"{"grace": "1h"}"#))
        let verifyOnly = try SecretKeyAPI.current(client, environment: "default").key
        responses.append(try client.request("POST", "/v1/environments/default/secret-keys/rotate",
                                            json: #"{"grace": "0s"}"#))
        let active = try SecretKeyAPI.current(client, environment: "default").key
        responses.append(try client.request("GET", "/v1/environments/default/secret-keys"))
        responses.append(try client.request("GET", "/v1/audit"))
        responses.append(try client.request("GET", "/v1/environments/default/exports/dotenv"))

        for response in responses {
            #expect((200...299).contains(response.status), "\(response.text)")
            for value in [imported, verifyOnly, active] {
                #expect(!response.text.contains(value), "\(response.text)")
            }
        }
        let keys = try SecretKeyAPI.metadata(client, environment: "default")
        #expect(keys.count == 3)
        for key in keys {
            #expect(Set(key.keys) == ["id", "state", "origin", "fingerprint", "created_at", "verify_until", "retired_at"])
        }
    }
}

// MARK: - Helpers

/// Calls to the secret-key routes, with the checks every test repeats.
enum SecretKeyAPI {
    static func isLowerCaseHexDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
    }

    /// Reads the active value and the verify-only values of `environment`, which needs the `secrets` scope.
    static func current(_ client: TestHTTPClient, environment: String) throws -> (key: String, fallbacks: [String]) {
        let response = try client.request("GET", "/v1/environments/\(environment)/secret-keys/current")
        guard response.status == 200 else {
            throw TestFailure("GET secret-keys/current returned \(response.status): \(response.text)")
        }
        let document = try response.json()
        guard let key = document["secret_key"] as? String, let fallbacks = document["fallbacks"] as? [String] else {
            throw TestFailure("secret-keys/current lacks secret_key or fallbacks: \(response.text)")
        }
        return (key, fallbacks)
    }

    static func metadata(_ client: TestHTTPClient, environment: String) throws -> [[String: Any]] {
        let response = try client.request("GET", "/v1/environments/\(environment)/secret-keys")
        guard response.status == 200, let keys = try response.json()["secret_keys"] as? [[String: Any]] else {
            throw TestFailure("GET secret-keys returned \(response.status): \(response.text)")
        }
        return keys
    }

    /// Polls the key list until key `id` reaches `state`, for at most five seconds.
    static func waitForState(_ state: String, of id: String, _ client: TestHTTPClient,
                             environment: String) throws -> [String: Any] {
        let deadline = Date().addingTimeInterval(5)
        while true {
            let key = try metadata(client, environment: environment).first { $0["id"] as? String == id }
            if let key, key["state"] as? String == state { return key }
            guard Date() < deadline else {
                throw TestFailure("secret key \(id) did not reach state \(state) within 5 s; last seen: \(String(describing: key))")
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
    }

    /// Encodes a JSON body with `value`, and `grace` when given, escaping any character that needs it.
    static func valueBody(_ value: String, grace: String? = nil) throws -> String {
        var object = ["value": value]
        if let grace { object["grace"] = grace }
        return String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
    }

    /// Returns 33 random bytes in base64: 44 characters that pass every import check.
    static func randomImportValue() -> String {
        Data(SecureRandom.bytes(count: 33)).base64EncodedString()
    }

    static func makeToken(_ admin: TestHTTPClient, scopes: [String]) throws -> String {
        let body = try JSONSerialization.data(withJSONObject: ["name": "secret-key-test", "scopes": scopes])
        let response = try admin.request("POST", "/v1/tokens", body: Array(body))
        guard response.status == 201 || response.status == 200, let token = try response.json()["token"] as? String else {
            throw TestFailure("POST /v1/tokens returned \(response.status): \(response.text)")
        }
        return token
    }

    /// Checks a 422 that points at `/value` and does not echo the value anywhere in the response.
    static func expectValueRejected(_ response: WireResponse, value: String, reason: String,
                                    sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(response.status == 422, "\(reason): \(response.text)", sourceLocation: sourceLocation)
        #expect(response.header("Content-Type") == "application/problem+json", "\(reason)", sourceLocation: sourceLocation)
        #expect(!response.text.contains(value), "\(reason): the response quotes the value", sourceLocation: sourceLocation)
        let problem = try response.json()
        let errors = problem["errors"] as? [[String: Any]] ?? []
        #expect(errors.count == 1, "\(reason): \(response.text)", sourceLocation: sourceLocation)
        #expect(errors.first?["pointer"] as? String == "/value", "\(reason): \(response.text)", sourceLocation: sourceLocation)
        let detail = problem["detail"] as? String ?? ""
        #expect(!detail.isEmpty, "\(reason)", sourceLocation: sourceLocation)
        #expect(!detail.contains(value), "\(reason)", sourceLocation: sourceLocation)
    }
}

/// A clock that moves only when a test moves it, in whole seconds as the service keeps time.
final class ManualClock: Sendable {
    private let seconds: Mutex<Int64>

    init(start: Timestamp = Timestamp.now) { seconds = Mutex(start.secondsSinceEpoch) }

    var now: Timestamp { Timestamp(secondsSinceEpoch: seconds.withLock { $0 }) }

    func advance(seconds delta: Int64) { seconds.withLock { $0 += delta } }

    var serviceClock: ControlPlane.Clock { ControlPlane.Clock { [self] in now } }
}

/// A `ControlPlaneService` run inside the test process on a free loopback port, with a `ManualClock`.
final class InProcessControlPlane {
    static let adminToken = "test-admin-token-0123456789abcdefghijklmnopqrstuvwxyz"
    /// How often the maintenance sweep runs: a quarter of the one-second signing-key overlap.
    static let sweepInterval = 0.25

    let directory: URL
    let clock: ManualClock
    let service: ControlPlaneService

    var client: TestHTTPClient { TestHTTPClient(port: service.boundPort, token: Self.adminToken) }

    init() throws {
        directory = try RunningServer.makeDirectory()
        clock = ManualClock()
        var configuration = ServiceConfiguration()
        configuration.listenHost = "127.0.0.1"
        configuration.listenPort = 0
        configuration.databasePath = directory.appendingPathComponent("perimeter.db").path
        configuration.adminToken = Self.adminToken
        configuration.bundleTTL = 10
        configuration.signingKeyOverlap = 1
        service = try ControlPlaneService(configuration: configuration, clock: clock.serviceClock,
                                          logger: Logger(label: "perimeterd", minimumLevel: .warning))
        try service.start()
    }

    func stop() {
        service.shutdown(gracePeriod: .seconds(1))
    }

    @Test func fallbacksListNewestFirst() throws {
        let server = try RunningServer()
        defer { server.stop() }
        let client = server.client

        #expect(try client.request("POST", "/v1/environments/default/secret-keys").status == 201)
        var values = [try SecretKeyAPI.current(client, environment: "default").key]
        for _ in 1...3 {
            let rotated = try client.request("POST", "/v1/environments/default/secret-keys/rotate",
                                             json: #"{"grace": "1h"}"#)
            #expect(rotated.status == 201, "\(rotated.text)")
            values.append(try SecretKeyAPI.current(client, environment: "default").key)
        }

        let current = try SecretKeyAPI.current(client, environment: "default")
        #expect(current.key == values[3])
        #expect(current.fallbacks == [values[2], values[1], values[0]])
        let export = try client.request("GET", "/v1/environments/default/exports/dotenv?secrets=true")
        let lines = export.text.split(separator: "\n").map(String.init)
        #expect(lines.contains("SECRET_KEY_FALLBACKS=\(values[2]),\(values[1]),\(values[0])"))
    }
}
