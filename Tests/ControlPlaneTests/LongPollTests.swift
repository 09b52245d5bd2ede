import Dispatch
import Foundation
import Synchronization
import Testing

@Suite struct LongPollTests {
    /// Starts a request on another thread and returns a way to wait for its response.
    static func startRequest(_ client: TestHTTPClient, _ path: String,
                             headers: [(String, String)]) -> @Sendable () throws -> (WireResponse, Duration) {
        let result = Mutex<Result<(WireResponse, Duration), any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        let started = ContinuousClock.now
        Thread.detachNewThread {
            let outcome = Result { try client.request("GET", path, headers: headers) }
            result.withLock { $0 = outcome.map { ($0, ContinuousClock.now - started) } }
            done.signal()
        }
        return {
            guard done.wait(timeout: .now() + 30) == .success else { throw TestFailure("poll did not return in 30 s") }
            return try result.withLock { $0! }.get()
        }
    }

    @Test func parkedPollWakesOnPublish() throws {
        let server = try RunningServer()
        defer { server.stop() }
        let client = server.client
        let etag = try #require(try client.request("GET", "/v1/environments/default/bundle").header("ETag"))

        let poll = Self.startRequest(client, "/v1/environments/default/bundle",
                                     headers: [("If-None-Match", etag), ("Prefer", "wait=20")])
        Thread.sleep(forTimeInterval: 0.5)
        let metrics = try client.request("GET", "/metrics").text
        #expect(metrics.contains("perimeter_parked_polls 1"))

        let change = try client.request("PUT", "/v1/environments/default/ip-allowlist", json: #"{"blocks": ["10.0.0.0/8"]}"#)
        #expect(change.status == 200)
        let (response, elapsed) = try poll()
        #expect(response.status == 200)
        #expect(response.header("Perimeter-Bundle-Version") == "2")
        #expect(response.header("Preference-Applied") == "wait=20")
        #expect(response.header("ETag") != etag)
        #expect(elapsed < .seconds(5))
    }

    @Test func parkedPollTimesOutWith304() throws {
        let server = try RunningServer()
        defer { server.stop() }
        let client = server.client
        let first = try client.request("GET", "/v1/environments/default/bundle")
        let etag = try #require(first.header("ETag"))
        let started = ContinuousClock.now
        let response = try client.request("GET", "/v1/environments/default/bundle",
                                          headers: [("If-None-Match", etag), ("Prefer", "wait=1")])
        let elapsed = ContinuousClock.now - started
        #expect(response.status == 304)
        #expect(response.header("ETag") == etag)
        #expect(response.header("Content-Type") == first.header("Content-Type"))
        #expect(response.header("Preference-Applied") == "wait=1")
        #expect(elapsed >= .milliseconds(900))
        #expect(elapsed < .seconds(5))
    }

    @Test func waitIsCappedByMaximum() throws {
        let server = try RunningServer(environment: ["PERIMETER_MAX_WAIT": "1"])
        defer { server.stop() }
        let client = server.client
        let etag = try #require(try client.request("GET", "/v1/environments/default/bundle").header("ETag"))
        let response = try client.request("GET", "/v1/environments/default/bundle?wait=30",
                                          headers: [("If-None-Match", etag)])
        #expect(response.status == 304)
        #expect(response.header("Preference-Applied") == "wait=1")
    }

    @Test func changedBundleAnswersAtOnceDespiteWait() throws {
        let server = try RunningServer()
        defer { server.stop() }
        let started = ContinuousClock.now
        let response = try server.client.request("GET", "/v1/environments/default/bundle",
                                                 headers: [("If-None-Match", "\"stale\""), ("Prefer", "wait=20")])
        #expect(response.status == 200)
        #expect(ContinuousClock.now - started < .seconds(2))
    }

    @Test func shutdownAnswersParkedPollsAndExitsZero() throws {
        let server = try RunningServer()
        let client = server.client
        let etag = try #require(try client.request("GET", "/v1/environments/default/bundle").header("ETag"))
        let poll = Self.startRequest(client, "/v1/environments/default/bundle",
                                     headers: [("If-None-Match", etag), ("Prefer", "wait=30")])
        Thread.sleep(forTimeInterval: 0.5)
        let stopped = ContinuousClock.now
        #expect(server.stop() == 0)
        #expect(ContinuousClock.now - stopped < .seconds(10))
        let (response, _) = try poll()
        #expect(response.status == 304)
        #expect(response.header("ETag") == etag)
    }
}

@Suite struct OperationsTests {
    @Test func metricsCountRequestsAndVersions() throws {
        let server = try RunningServer()
        defer { server.stop() }
        let client = server.client
        _ = try client.request("GET", "/v1/environments/default/bundle")
        _ = try client.request("GET", "/v1/environments/default/bundle")
        _ = try client.request("PUT", "/v1/environments/staging")
        let response = try client.request("GET", "/metrics")
        #expect(response.status == 200)
        #expect(response.header("Content-Type")?.hasPrefix("text/plain") == true)
        let text = response.text
        #expect(text.contains(#"perimeter_http_requests_total{route="/v1/environments/{env}/bundle",method="GET",status="200"} 2"#))
        #expect(text.contains(#"perimeter_http_requests_total{route="/v1/environments/{name}",method="PUT",status="201"} 1"#))
        #expect(text.contains(#"perimeter_bundle_version{environment="default"} 1"#))
        #expect(text.contains(#"perimeter_bundle_version{environment="staging"} 1"#))
        #expect(text.contains(#"perimeter_http_request_duration_seconds_bucket{route="/v1/environments/{env}/bundle",le="+Inf"} 2"#))
        #expect(text.contains("perimeter_http_open_connections 1"))
        #expect(text.contains("perimeter_parked_polls 0"))
        #expect(try client.request("GET", "/metrics", authorized: false).status == 401)
    }

    @Test func everyResponseCarriesDistinctRequestID() throws {
        let server = try RunningServer()
        defer { server.stop() }
        let first = try server.client.request("GET", "/healthz").header("X-Request-Id")
        let second = try server.client.request("GET", "/v1/nothing").header("X-Request-Id")
        #expect(first != nil)
        #expect(second != nil)
        #expect(first != second)
    }

    @Test func debugLogHasOneJSONLinePerRequestWithoutToken() throws {
        let server = try RunningServer(environment: ["PERIMETER_LOG_LEVEL": "debug"])
        defer { server.stop() }
        let response = try server.client.request("GET", "/v1/environments/default")
        let requestID = try #require(response.header("X-Request-Id"))
        Thread.sleep(forTimeInterval: 0.2)
        let lines = server.log.split(separator: "\n").filter { $0.hasPrefix("{") }
        let line = try #require(lines.first { $0.contains(requestID) })
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["http.method"] as? String == "GET")
        #expect(object["http.route"] as? String == "/v1/environments/{name}")
        #expect(object["http.status"] as? String == "200")
        #expect(object["connection.peer"] as? String == "127.0.0.1")
        #expect(object["duration_ms"] != nil)
        // Once, in the first-start banner, and never in a log line.
        #expect(server.log.components(separatedBy: server.token).count == 2)
    }
}
