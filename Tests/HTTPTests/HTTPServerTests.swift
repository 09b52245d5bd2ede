import Dispatch
import Foundation
@testable import HTTP
import Testing

@Suite struct HTTPServerTests {
    @Test func servesSeveralRequestsOnOneConnection() throws {
        try withServer(echoResponder) { server in
            let client = try TestClient(port: server.boundPort)

            for index in 0..<3 {
                try client.send("GET /item/\(index) HTTP/1.1\r\nHost: test\r\n\r\n")
                let response = try client.readResponse()
                #expect(response.status == 200)
                #expect(response.text == "GET /item/\(index)")
                #expect(response.headers.first("Content-Length") == "\(response.body.count)")
                #expect(response.headers.first("Connection") == nil)
                #expect(response.headers.first("Date")?.hasSuffix(" GMT") == true)
            }
        }
    }

    @Test func bindsEphemeralPort() throws {
        try withServer(echoResponder) { server in
            #expect(server.boundPort != 0)
        }
    }

    @Test func listensOnIPv6Loopback() throws {
        let server = HTTPServer(configuration: HTTPServerConfiguration(host: "::1", port: 0, loopCount: 1), responder: echoResponder)
        do {
            try server.start()
        } catch {
            // A host without an IPv6 loopback address cannot run this test.
            let unavailable: [HTTPServerError] = [
                .systemCallFailed(call: "bind", errno: EADDRNOTAVAIL), .systemCallFailed(call: "socket", errno: EAFNOSUPPORT),
            ]
            try #require(unavailable.contains(error), "\(error)")
            return
        }
        defer { server.shutdown(gracePeriod: .seconds(1)) }

        let client = try TestClient(port: server.boundPort, host: "::1")
        try client.send("GET /six HTTP/1.1\r\nHost: [::1]\r\n\r\n")
        let response = try client.readResponse()

        #expect(response.text == "GET /six")
    }

    @Test func rejectsHostName() {
        let server = HTTPServer(configuration: HTTPServerConfiguration(host: "localhost", port: 0), responder: echoResponder)

        #expect(throws: HTTPServerError.invalidHost("localhost")) { try server.start() }
    }

    @Test func rejectsSecondStart() throws {
        try withServer(echoResponder) { server in
            #expect(throws: HTTPServerError.alreadyStarted) { try server.start() }
        }
    }

    @Test func reportsPortInUse() throws {
        try withServer(echoResponder) { server in
            let second = HTTPServer(
                configuration: HTTPServerConfiguration(host: "127.0.0.1", port: server.boundPort, loopCount: 1),
                responder: echoResponder
            )
            #expect(throws: HTTPServerError.systemCallFailed(call: "bind", errno: EADDRINUSE)) { try second.start() }
        }
    }

    @Test func answersPipelinedRequestsInOrder() throws {
        // The first response comes 200 ms late from a dispatch queue; the second at once from another thread.
        let responder = ClosureResponder { request, respond in
            let response = HTTPResponse(status: 200, body: Array(request.path.utf8))
            if request.path == "/slow" {
                DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(200)) { respond(response) }
            } else {
                Thread.detachNewThread { respond(response) }
            }
        }

        try withServer(responder) { server in
            let client = try TestClient(port: server.boundPort)
            try client.send("GET /slow HTTP/1.1\r\nHost: t\r\n\r\nGET /fast HTTP/1.1\r\nHost: t\r\n\r\n")

            let first = try client.readResponse()
            let second = try client.readResponse()

            #expect(first.text == "/slow")
            #expect(second.text == "/fast")
        }
    }

    @Test func respondsAfterClientHalfCloses() throws {
        try withServer(echoResponder) { server in
            let client = try TestClient(port: server.boundPort)

            try client.send("GET /one HTTP/1.1\r\nHost: t\r\n\r\nGET /two HTTP/1.1\r\nHost: t\r\n\r\n")
            client.shutdownOutput()
            let first = try client.readResponse()
            let second = try client.readResponse()

            #expect(first.text == "GET /one")
            #expect(second.text == "GET /two")
            #expect(client.isClosedByServer())
        }
    }

    @Test func keepsServingAfterGarbage() throws {
        try withServer(echoResponder) { server in
            let garbage = try TestClient(port: server.boundPort)
            try garbage.send(bytes: (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 7919) })
            #expect(try garbage.readResponse().status == 400)

            let client = try TestClient(port: server.boundPort)
            try client.send("GET /fine HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(try client.readResponse().text == "GET /fine")
        }
    }

    @Test func answersHeadWithoutBody() throws {
        try withServer(echoResponder) { server in
            let client = try TestClient(port: server.boundPort)

            try client.send("HEAD /page HTTP/1.1\r\nHost: t\r\n\r\n")
            let head = try client.readResponse(isHeadRequest: true)
            try client.send("GET /next HTTP/1.1\r\nHost: t\r\n\r\n")
            let next = try client.readResponse()

            #expect(head.status == 200)
            #expect(head.headers.first("Content-Length") == "\("HEAD /page".utf8.count)")
            #expect(head.body.isEmpty)
            #expect(next.text == "GET /next")
        }
    }

    @Test func closesHTTP10ConnectionAfterResponse() throws {
        try withServer(echoResponder) { server in
            let client = try TestClient(port: server.boundPort)

            try client.send("GET /old HTTP/1.0\r\n\r\n")
            let response = try client.readResponse()

            #expect(response.text == "GET /old")
            #expect(response.headers.first("Connection") == "close")
            #expect(client.isClosedByServer())
        }
    }

    @Test func keepsHTTP10AliveOnRequest() throws {
        try withServer(echoResponder) { server in
            let client = try TestClient(port: server.boundPort)

            try client.send("GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            let first = try client.readResponse()
            try client.send("GET /b HTTP/1.0\r\n\r\n")
            let second = try client.readResponse()

            #expect(first.headers.first("Connection") == "keep-alive")
            #expect(second.text == "GET /b")
            #expect(client.isClosedByServer())
        }
    }

    @Test func honoursConnectionClose() throws {
        try withServer(echoResponder) { server in
            let client = try TestClient(port: server.boundPort)

            try client.send("GET /last HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\nGET /ignored HTTP/1.1\r\nHost: t\r\n\r\n")
            let response = try client.readResponse()

            #expect(response.text == "GET /last")
            #expect(response.headers.first("Connection") == "close")
            #expect(client.isClosedByServer())
        }
    }

    @Test func sendsContinueBeforeBody() throws {
        try withServer(echoResponder) { server in
            let client = try TestClient(port: server.boundPort)

            try client.send("PUT /upload HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n")
            let interim = try client.readResponse()
            try client.send("hello")
            let final = try client.readResponse()

            #expect(interim.status == 100)
            #expect(final.status == 200)
            #expect(final.text == "PUT /upload hello")
        }
    }

    @Test func rejectsUnknownExpectation() throws {
        try withServer(echoResponder) { server in
            let client = try TestClient(port: server.boundPort)

            try client.send("PUT /upload HTTP/1.1\r\nHost: t\r\nExpect: magic\r\nContent-Length: 5\r\n\r\n")
            let response = try client.readResponse()

            #expect(response.status == 417)
            #expect(response.text.contains("urn:perimeter:problem:expectation-failed"))
            #expect(client.isClosedByServer())
        }
    }

    @Test func decodesChunkedBody() throws {
        try withServer(echoResponder) { server in
            let client = try TestClient(port: server.boundPort)

            try client.send("POST /c HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nWiki\r\n")
            try client.send("5\r\npedia\r\n0\r\n\r\n")
            let response = try client.readResponse()

            #expect(response.text == "POST /c Wikipedia")
        }
    }

    @Test func sendsProblemAndClosesOnMalformedRequest() throws {
        try withServer(echoResponder) { server in
            let client = try TestClient(port: server.boundPort)

            try client.send("GET / HTTP/1.1\r\nHost : t\r\n\r\n")
            let response = try client.readResponse()
            let problem = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]

            #expect(response.status == 400)
            #expect(response.headers.first("Content-Type") == "application/problem+json")
            #expect(response.headers.first("Connection") == "close")
            #expect(problem?["type"] as? String == "urn:perimeter:problem:malformed-request")
            #expect(problem?["title"] as? String == "Bad Request")
            #expect(problem?["status"] as? Int == 400)
            #expect(problem?["detail"] is String)
            #expect(client.isClosedByServer())
        }
    }

    @Test func rejectsLargeBodyBeforeReadingIt() throws {
        try withServer(echoResponder, configure: { $0.limits.maxBodyBytes = 1024 }) { server in
            let client = try TestClient(port: server.boundPort)

            try client.send("POST /big HTTP/1.1\r\nHost: t\r\nContent-Length: 1000000\r\n\r\n")
            let response = try client.readResponse()

            #expect(response.status == 413)
            #expect(response.text.contains("urn:perimeter:problem:payload-too-large"))
        }
    }

    @Test func sendsLargeResponseBody() throws {
        let size = 8 * 1024 * 1024
        let responder = ClosureResponder { _, respond in
            respond(HTTPResponse(status: 200, body: [UInt8](repeating: 0x61, count: size)))
        }

        try withServer(responder) { server in
            let client = try TestClient(port: server.boundPort)
            try client.send("GET /large HTTP/1.1\r\nHost: t\r\n\r\n")
            let response = try client.readResponse()

            #expect(response.body.count == size)
        }
    }

    @Test func replacesInvalidResponseWith500() throws {
        let responder = ClosureResponder { _, respond in
            respond(HTTPResponse(status: 200, headers: ["X-Bad": "a\r\nInjected: yes"]))
        }

        try withServer(responder) { server in
            let client = try TestClient(port: server.boundPort)
            try client.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
            let response = try client.readResponse()

            #expect(response.status == 500)
            #expect(response.headers.first("Injected") == nil)
        }
    }
}
