import Foundation
import Testing

@Suite struct EnvironmentAPITests {
    @Test func environmentsAreCreatedListedAndDeleted() throws {
        let server = try RunningServer()
        defer { server.stop() }
        let client = server.client

        let created = try client.request("PUT", "/v1/environments/prod")
        #expect(created.status == 201, "\(created.text)")
        #expect(try created.json()["version"] as? Int == 1)
        #expect(try client.request("PUT", "/v1/environments/prod").status == 200)

        let names = (try client.request("GET", "/v1/environments").json()["environments"] as? [[String: Any]])?
            .compactMap { $0["name"] as? String }
        #expect(names == ["default", "prod"])

        #expect(try client.request("DELETE", "/v1/environments/prod").status == 204)
        #expect(try client.request("GET", "/v1/environments/prod").status == 404)
        #expect(try client.request("GET", "/v1/environments/prod/bundle").status == 404)
        #expect(try client.request("DELETE", "/v1/environments/prod").status == 404)
    }

    @Test func recreatedEnvironmentContinuesItsVersions() throws {
        let server = try RunningServer()
        defer { server.stop() }
        let client = server.client
        _ = try client.request("PUT", "/v1/environments/staging")
        _ = try client.request("PUT", "/v1/environments/staging/ip-allowlist", json: #"{"blocks": ["10.0.0.0/8"]}"#)
        _ = try client.request("DELETE", "/v1/environments/staging")
        let again = try client.request("PUT", "/v1/environments/staging")
        #expect(again.status == 201)
        #expect(try again.json()["version"] as? Int == 3)
        let allowlist = try client.request("GET", "/v1/environments/staging/ip-allowlist").json()
        #expect((allowlist["blocks"] as? [String])?.isEmpty == true)
    }

    @Test func defaultEnvironmentCannotBeDeleted() throws {
        let server = try RunningServer()
        defer { server.stop() }
        let response = try server.client.request("DELETE", "/v1/environments/default")
        #expect(response.status == 409)
        #expect(response.header("Content-Type") == "application/problem+json")
    }

    @Test func invalidEnvironmentNamesAreRefused() throws {
        let server = try RunningServer()
        defer { server.stop() }
        for name in ["Prod", "-prod", "prod_1", String(repeating: "a", count: 64), "pr%6Fd"] {
            let response = try server.client.request("PUT", "/v1/environments/\(name)")
            #expect(response.status == 422, "\(name): \(response.text)")
        }
        #expect(try server.client.request("PUT", "/v1/environments/\(String(repeating: "a", count: 63))").status == 201)
    }

    @Test func requestsWithoutValidTokenAreUnauthorized() throws {
        let server = try RunningServer()
        defer { server.stop() }
        var client = server.client
        let missing = try client.request("GET", "/v1/environments", authorized: false)
        #expect(missing.status == 401)
        #expect(missing.header("Content-Type") == "application/problem+json")
        #expect(missing.header("WWW-Authenticate") != nil)

        client.token = server.token + "0"
        #expect(try client.request("GET", "/v1/environments").status == 401)
        client.token = "prm_" + String(repeating: "0", count: 64)
        #expect(try client.request("PUT", "/v1/environments/x").status == 401)
        #expect(try server.client.request("GET", "/v1/environments/x").status == 404)

        let health = try server.client.request("GET", "/healthz", authorized: false)
        #expect(health.status == 200)
    }

    @Test func unknownRoutesAndMethodsAreProblems() throws {
        let server = try RunningServer()
        defer { server.stop() }
        let client = server.client
        let unknown = try client.request("GET", "/v1/nothing")
        #expect(unknown.status == 404)
        #expect(unknown.header("Content-Type") == "application/problem+json")

        let wrongMethod = try client.request("POST", "/v1/environments/default/bundle", json: "{}")
        #expect(wrongMethod.status == 405)
        #expect(wrongMethod.header("Allow") == "GET, HEAD")
    }

    @Test func headAnswersLikeGetWithoutBody() throws {
        let server = try RunningServer()
        defer { server.stop() }
        let get = try server.client.request("GET", "/v1/environments/default/bundle")
        let head = try server.client.request("HEAD", "/v1/environments/default/bundle")
        #expect(head.status == 200)
        #expect(head.header("ETag") == get.header("ETag"))
        #expect(head.header("Content-Length") == String(get.body.count))
    }

    @Test func configuredAdminTokenIsAccepted() throws {
        let token = "prm_" + String(repeating: "ab", count: 20)
        let server = try RunningServer(environment: ["PERIMETER_ADMIN_TOKEN": token])
        defer { server.stop() }
        #expect(try server.client.request("GET", "/v1/environments").status == 200)
        #expect(!server.log.contains("shown once"))
    }
}
