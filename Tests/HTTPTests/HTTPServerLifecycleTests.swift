import Dispatch
import Foundation
@testable import HTTP
import Testing

/// Timeouts, limits, late responses and shutdown, against a real server on loopback.
@Suite struct HTTPServerLifecycleTests {
    @Test func respondsFromAnotherThread() throws {
        let responder = ClosureResponder { request, respond in
            DispatchQueue(label: "responder").async {
                respond(HTTPResponse(status: 201, body: Array(request.path.utf8)))
            }
        }

        try withServer(responder) { server in
            let client = try TestClient(port: server.boundPort)
            try client.send("POST /made HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n")
            let response = try client.readResponse()

            #expect(response.status == 201)
            #expect(response.text == "/made")
        }
    }

    @Test func dropsLateResponseAfterClientClosed() throws {
        let parked = ParkedRequests()

        try withServer(parked.responder) { server in
            let client = try TestClient(port: server.boundPort)
            try client.send("GET /poll HTTP/1.1\r\nHost: t\r\n\r\n")
            try #require(waitUntil { parked.count == 1 })
            client.close()
            usleep(100_000)

            for entry in parked.takeAll() {
                entry.respond(HTTPResponse(status: 200, body: Array("late".utf8)))
            }
            let next = try TestClient(port: server.boundPort)
            try next.send("GET /after HTTP/1.1\r\nHost: t\r\n\r\n")
            try #require(waitUntil { parked.count == 1 })
            parked.takeAll().forEach { $0.respond(HTTPResponse(status: 204)) }

            #expect(try next.readResponse().status == 204)
        }
    }

    @Test func dropsLateResponseAfterShutdown() throws {
        let parked = ParkedRequests()
        let server = HTTPServer(
            configuration: HTTPServerConfiguration(host: "127.0.0.1", port: 0, loopCount: 2),
            responder: parked.responder
        )
        try server.start()
        let client = try TestClient(port: server.boundPort)
        try client.send("GET /poll HTTP/1.1\r\nHost: t\r\n\r\n")
        try #require(waitUntil { parked.count == 1 })

        server.shutdown(gracePeriod: .milliseconds(100))
        parked.takeAll().forEach { $0.respond(HTTPResponse(status: 200)) }

        #expect(client.isClosedByServer())
    }

    @Test func ignoresSecondResponseForSameRequest() throws {
        let responder = ClosureResponder { request, respond in
            respond(HTTPResponse(status: 200, body: Array(request.path.utf8)))
            respond(HTTPResponse(status: 500, body: Array("again".utf8)))
        }

        try withServer(responder) { server in
            let client = try TestClient(port: server.boundPort)
            try client.send("GET /one HTTP/1.1\r\nHost: t\r\n\r\nGET /two HTTP/1.1\r\nHost: t\r\n\r\n")

            #expect(try client.readResponse().text == "/one")
            #expect(try client.readResponse().text == "/two")
        }
    }

    @Test func sends408ToTricklingClient() throws {
        try withServer(echoResponder, configure: { $0.timeouts.head = .milliseconds(300) }) { server in
            let client = try TestClient(port: server.boundPort)
            let started = ContinuousClock.now

            // One field line every 100 ms keeps bytes coming, but the whole head never arrives.
            try client.send("GET /slow HTTP/1.1\r\nHost: t\r\n")
            for index in 0..<8 {
                usleep(100_000)
                do {
                    try client.send("X-Trickle-\(index): 1\r\n")
                } catch {
                    break
                }
            }
            let response = try client.readResponse()

            #expect(response.status == 408)
            #expect(response.text.contains("urn:perimeter:problem:request-timeout"))
            #expect(response.headers.first("Connection") == "close")
            #expect(client.isClosedByServer())
            #expect(ContinuousClock.now - started < .seconds(3))
        }
    }

    @Test func sends408WhenBodyStalls() throws {
        try withServer(echoResponder, configure: { $0.timeouts.body = .milliseconds(200) }) { server in
            let client = try TestClient(port: server.boundPort)

            try client.send("PUT /x HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc")
            let response = try client.readResponse()

            #expect(response.status == 408)
        }
    }

    @Test func closesIdleConnectionSilently() throws {
        try withServer(echoResponder, configure: { $0.timeouts.idle = .milliseconds(200) }) { server in
            let client = try TestClient(port: server.boundPort)
            try client.send("GET /once HTTP/1.1\r\nHost: t\r\n\r\n")
            _ = try client.readResponse()
            let started = ContinuousClock.now

            #expect(client.isClosedByServer())
            #expect(ContinuousClock.now - started < .seconds(2))
        }
    }

    @Test func closesClientThatStopsReading() throws {
        let size = 64 * 1024 * 1024
        let responder = ClosureResponder { _, respond in
            respond(HTTPResponse(status: 200, body: [UInt8](repeating: 0x62, count: size)))
        }

        try withServer(responder, configure: { $0.timeouts.write = .milliseconds(200) }) { server in
            let client = try TestClient(port: server.boundPort)
            try client.send("GET /huge HTTP/1.1\r\nHost: t\r\n\r\n")
            // The socket buffers fill up long before 64 MiB, so the server's writes stall until the timeout.
            usleep(1_000_000)

            #expect(throws: (any Error).self) { try client.readResponse() }
        }
    }

    @Test func closesConnectionsBeyondLimit() throws {
        try withServer(echoResponder, configure: { $0.maxConnections = 2 }) { server in
            let first = try TestClient(port: server.boundPort)
            let second = try TestClient(port: server.boundPort)
            for client in [first, second] {
                try client.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
                #expect(try client.readResponse().status == 200)
            }

            let third = try TestClient(port: server.boundPort)
            #expect(third.isClosedByServer())

            first.close()
            let servedAgain = waitUntil {
                do {
                    let next = try TestClient(port: server.boundPort)
                    try next.send("GET /again HTTP/1.1\r\nHost: t\r\n\r\n")
                    return try next.readResponse().text == "GET /again"
                } catch {
                    return false
                }
            }
            #expect(servedAgain)
            #expect(try second.send("GET /still HTTP/1.1\r\nHost: t\r\n\r\n") == ())
            #expect(try second.readResponse().text == "GET /still")
        }
    }

    @Test func stopsReadingAtPipelineLimit() throws {
        let parked = ParkedRequests()

        try withServer(parked.responder, configure: { $0.limits.maxPipelinedRequests = 2 }) { server in
            let client = try TestClient(port: server.boundPort)
            let requests = (1...4).map { "GET /\($0) HTTP/1.1\r\nHost: t\r\n\r\n" }.joined()
            try client.send(requests)

            try #require(waitUntil { parked.count == 2 })
            usleep(100_000)
            #expect(parked.count == 2)

            var answered: [String] = []
            while answered.count < 4 {
                try #require(waitUntil { parked.count > 0 })
                for entry in parked.takeAll() {
                    answered.append(entry.request.path)
                    entry.respond(HTTPResponse(status: 200, body: Array(entry.request.path.utf8)))
                }
            }
            let bodies = try (1...4).map { _ in try client.readResponse().text }

            #expect(answered == ["/1", "/2", "/3", "/4"])
            #expect(bodies == ["/1", "/2", "/3", "/4"])
        }
    }

    @Test func shutdownLetsRequestInProgressFinish() throws {
        let responder = ClosureResponder { _, respond in
            DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(200)) {
                respond(HTTPResponse(status: 200, body: Array("done".utf8)))
            }
        }
        let server = HTTPServer(
            configuration: HTTPServerConfiguration(host: "127.0.0.1", port: 0, loopCount: 2),
            responder: responder
        )
        try server.start()
        let client = try TestClient(port: server.boundPort)
        let idle = try TestClient(port: server.boundPort)
        try client.send("GET /work HTTP/1.1\r\nHost: t\r\n\r\n")
        usleep(50_000)

        let started = ContinuousClock.now
        server.shutdown(gracePeriod: .seconds(5))
        let elapsed = ContinuousClock.now - started
        let response = try client.readResponse()

        #expect(response.text == "done")
        #expect(response.headers.first("Connection") == "close")
        #expect(idle.isClosedByServer())
        #expect(elapsed < .seconds(1))
        #expect(throws: (any Error).self) { try TestClient(port: server.boundPort) }
    }

    @Test func shutdownReturnsAfterGracePeriod() throws {
        let parked = ParkedRequests()
        let server = HTTPServer(
            configuration: HTTPServerConfiguration(host: "127.0.0.1", port: 0, loopCount: 3),
            responder: parked.responder
        )
        try server.start()
        let client = try TestClient(port: server.boundPort)
        try client.send("GET /never HTTP/1.1\r\nHost: t\r\n\r\n")
        try #require(waitUntil { parked.count == 1 })

        let started = ContinuousClock.now
        server.shutdown(gracePeriod: .milliseconds(200))
        let elapsed = ContinuousClock.now - started

        #expect(elapsed >= .milliseconds(150))
        #expect(elapsed < .seconds(2))
        #expect(client.isClosedByServer())
    }

    @Test func shutdownWithoutStartReturns() {
        let server = HTTPServer(configuration: HTTPServerConfiguration(port: 0), responder: echoResponder)

        server.shutdown(gracePeriod: .seconds(1))

        #expect(server.boundPort == 0)
    }
}
