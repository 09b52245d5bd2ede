@testable import HTTP
import Testing

/// Scripts of events and the actions the machine must return, with no sockets involved.
@Suite struct ConnectionStateMachineTests {
    static let peer = SocketAddress(host: "192.0.2.7", port: 40_000)
    static let timeouts = HTTPTimeouts(
        head: .seconds(10), body: .seconds(30), idle: .seconds(60), write: .seconds(30)
    )
    let start = MonotonicInstant.now

    func makeMachine(limits: HTTPLimits = HTTPLimits()) -> ConnectionStateMachine {
        ConnectionStateMachine(peer: Self.peer, limits: limits, timeouts: Self.timeouts, now: start)
    }

    func at(_ offset: Duration) -> MonotonicInstant {
        start + offset
    }

    @Test func dispatchesCompleteRequest() throws {
        var machine = makeMachine()

        let received = machine.bytesReceived(bytes("GET /a?b=1 HTTP/1.1\r\nHost: t\r\n\r\n"), now: start)
        let sent = machine.responseReady(HTTPResponse(status: 200), sequence: 0, now: start)
        let written = machine.writeCompleted(now: start)

        #expect(describe(received) == ["dispatch GET /a?b=1 #0"])
        let request = try #require(dispatchedRequests(received).first)
        #expect(request.path == "/a")
        #expect(request.query == "b=1")
        #expect(request.peer == Self.peer)
        #expect(describe(sent) == ["send 200 keep-alive"])
        #expect(written.isEmpty)
        #expect(machine.isReadingEnabled)
        #expect(machine.nextDeadline == at(.seconds(60)))
    }

    @Test func sendsPipelinedResponsesInRequestOrder() {
        var machine = makeMachine()
        let twoRequests = "GET /1 HTTP/1.1\r\nHost: t\r\n\r\nGET /2 HTTP/1.1\r\nHost: t\r\n\r\n"

        let received = machine.bytesReceived(bytes(twoRequests), now: start)
        let secondFirst = machine.responseReady(HTTPResponse(status: 202), sequence: 1, now: start)
        let thenFirst = machine.responseReady(HTTPResponse(status: 201), sequence: 0, now: start)

        #expect(describe(received) == ["dispatch GET /1 #0", "dispatch GET /2 #1"])
        #expect(secondFirst.isEmpty)
        #expect(describe(thenFirst) == ["send 201 keep-alive", "send 202 keep-alive"])
    }

    @Test func ignoresDuplicateResponse() {
        var machine = makeMachine()
        _ = machine.bytesReceived(bytes("GET / HTTP/1.1\r\nHost: t\r\n\r\n"), now: start)

        let first = machine.responseReady(HTTPResponse(status: 200), sequence: 0, now: start)
        let second = machine.responseReady(HTTPResponse(status: 500), sequence: 0, now: start)
        let unknown = machine.responseReady(HTTPResponse(status: 500), sequence: 9, now: start)

        #expect(describe(first) == ["send 200 keep-alive"])
        #expect(second.isEmpty)
        #expect(unknown.isEmpty)
    }

    @Test func closeRequestLingersThenCloses() {
        var machine = makeMachine()
        _ = machine.bytesReceived(bytes("GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"), now: start)

        let sent = machine.responseReady(HTTPResponse(status: 200), sequence: 0, now: start)
        let written = machine.writeCompleted(now: start)
        let discarded = machine.bytesReceived(bytes("GET / HTTP/1.1\r\n"), now: start)
        let ended = machine.endOfInput(now: start)

        #expect(describe(sent) == ["send 200 close"])
        #expect(describe(written) == ["shutdown output"])
        #expect(discarded.isEmpty)
        #expect(describe(ended) == ["close"])
    }

    @Test func lingerEndsAtDeadline() {
        var machine = makeMachine()
        _ = machine.bytesReceived(bytes("GET / HTTP/1.0\r\n\r\n"), now: start)
        _ = machine.responseReady(HTTPResponse(status: 200), sequence: 0, now: start)
        _ = machine.writeCompleted(now: start)

        let lingerEnd = at(ConnectionStateMachine.lingerDuration)

        #expect(machine.nextDeadline == lingerEnd)
        #expect(describe(machine.deadlineReached(now: lingerEnd)) == ["close"])
    }

    @Test func rejectsMalformedRequestAndCloses() {
        var machine = makeMachine()

        let received = machine.bytesReceived(bytes("GET / HTTP/1.1\r\nHost: t\n\r\n"), now: start)
        let written = machine.writeCompleted(now: start)

        #expect(describe(received) == ["send 400 close"])
        #expect(describe(written) == ["shutdown output"])
    }

    @Test func answersEarlierRequestBeforeRejection() {
        var machine = makeMachine()

        let received = machine.bytesReceived(bytes("GET /ok HTTP/1.1\r\nHost: t\r\n\r\nBAD\r\n\r\n"), now: start)
        let sent = machine.responseReady(HTTPResponse(status: 200), sequence: 0, now: start)

        #expect(describe(received) == ["dispatch GET /ok #0"])
        #expect(describe(sent) == ["send 200 keep-alive", "send 400 close"])
    }

    @Test func headDeadlineCountsFromFirstByte() {
        var machine = makeMachine()

        _ = machine.bytesReceived(bytes("GET / HT"), now: start)
        _ = machine.bytesReceived(bytes("TP/1.1\r\nHost: t\r\n"), now: at(.seconds(9)))
        let early = machine.deadlineReached(now: at(.seconds(9)))
        let late = machine.deadlineReached(now: at(.seconds(10)))

        #expect(early.isEmpty)
        #expect(describe(late) == ["send 408 close"])
        #expect(!machine.isReadingEnabled)
    }

    @Test func bodyDeadlineCountsFromEndOfHead() {
        var machine = makeMachine()

        _ = machine.bytesReceived(bytes("PUT / HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\n\r\nab"), now: at(.seconds(5)))

        #expect(machine.nextDeadline == at(.seconds(35)))
        #expect(describe(machine.deadlineReached(now: at(.seconds(35)))) == ["send 408 close"])
    }

    @Test func closesOnTimeoutWhileResponsePending() {
        var machine = makeMachine()
        _ = machine.bytesReceived(bytes("GET /poll HTTP/1.1\r\nHost: t\r\n\r\nGET /next HT"), now: start)

        let reached = machine.deadlineReached(now: at(.seconds(10)))

        #expect(describe(reached) == ["close"])
        #expect(machine.isClosed)
    }

    @Test func closesIdleConnectionSilently() {
        var machine = makeMachine()

        #expect(machine.nextDeadline == at(.seconds(60)))
        #expect(machine.deadlineReached(now: at(.seconds(59))).isEmpty)
        #expect(describe(machine.deadlineReached(now: at(.seconds(60)))) == ["close"])
    }

    @Test func idleDeadlineWaitsForResponder() {
        var machine = makeMachine()

        _ = machine.bytesReceived(bytes("GET /poll HTTP/1.1\r\nHost: t\r\n\r\n"), now: start)

        #expect(machine.nextDeadline == nil)
    }

    @Test func closesClientThatStopsReading() {
        var machine = makeMachine()
        _ = machine.bytesReceived(bytes("GET / HTTP/1.1\r\nHost: t\r\n\r\n"), now: start)
        _ = machine.responseReady(HTTPResponse(status: 200), sequence: 0, now: start)

        machine.writeBlocked(madeProgress: false, now: start)
        machine.writeBlocked(madeProgress: false, now: at(.seconds(20)))
        let stalled = machine.nextDeadline
        machine.writeBlocked(madeProgress: true, now: at(.seconds(25)))

        #expect(stalled == at(.seconds(30)))
        #expect(machine.nextDeadline == at(.seconds(55)))
        #expect(describe(machine.deadlineReached(now: at(.seconds(55)))) == ["close"])
    }

    @Test func sendsContinueBeforeReadingBody() {
        var machine = makeMachine()

        let head = machine.bytesReceived(
            bytes("PUT /f HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n"), now: start
        )
        let body = machine.bytesReceived(bytes("abc"), now: start)

        #expect(describe(head) == ["continue"])
        #expect(describe(body) == ["dispatch PUT /f #0"])
        #expect(dispatchedRequests(body).first?.body == Array("abc".utf8))
    }

    @Test func pausesAtPipelineLimit() {
        var machine = makeMachine(limits: HTTPLimits(maxPipelinedRequests: 2))
        let threeRequests = (1...3).map { "GET /\($0) HTTP/1.1\r\nHost: t\r\n\r\n" }.joined()

        let received = machine.bytesReceived(bytes(threeRequests), now: start)
        let isReadingWhileFull = machine.isReadingEnabled
        let sent = machine.responseReady(HTTPResponse(status: 200), sequence: 0, now: start)

        #expect(describe(received) == ["dispatch GET /1 #0", "dispatch GET /2 #1"])
        #expect(!isReadingWhileFull)
        #expect(describe(sent) == ["send 200 keep-alive", "dispatch GET /3 #2"])
        #expect(!machine.isReadingEnabled)
        _ = machine.responseReady(HTTPResponse(status: 200), sequence: 1, now: start)
        #expect(machine.isReadingEnabled)
    }

    @Test func answersCompleteRequestsAfterEndOfInput() {
        var machine = makeMachine()
        _ = machine.bytesReceived(bytes("GET / HTTP/1.1\r\nHost: t\r\n\r\nGET /partial"), now: start)

        let ended = machine.endOfInput(now: start)
        let sent = machine.responseReady(HTTPResponse(status: 200), sequence: 0, now: start)
        let written = machine.writeCompleted(now: start)

        #expect(ended.isEmpty)
        #expect(describe(sent) == ["send 200 close"])
        #expect(describe(written) == ["close"])
    }

    @Test func closesAtEndOfInputWhenIdle() {
        var machine = makeMachine()

        #expect(describe(machine.endOfInput(now: start)) == ["close"])
    }

    @Test func shutdownClosesIdleConnection() {
        var machine = makeMachine()

        #expect(describe(machine.shutdownRequested(now: start)) == ["close"])
    }

    @Test func shutdownFinishesRequestInProgress() {
        var machine = makeMachine()
        _ = machine.bytesReceived(bytes("GET /work HTTP/1.1\r\nHost: t\r\n\r\n"), now: start)

        let requested = machine.shutdownRequested(now: start)
        let sent = machine.responseReady(HTTPResponse(status: 200), sequence: 0, now: start)
        let written = machine.writeCompleted(now: start)

        #expect(requested.isEmpty)
        #expect(describe(sent) == ["send 200 close"])
        #expect(describe(written) == ["close"])
    }

    @Test func shutdownLetsPartialRequestComplete() {
        var machine = makeMachine()
        _ = machine.bytesReceived(bytes("POST /x HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\n"), now: start)

        let requested = machine.shutdownRequested(now: start)
        let completed = machine.bytesReceived(bytes("ok"), now: start)
        let sent = machine.responseReady(HTTPResponse(status: 200), sequence: 0, now: start)

        #expect(requested.isEmpty)
        #expect(describe(completed) == ["dispatch POST /x #0"])
        #expect(describe(sent) == ["send 200 close"])
    }

    @Test func marksHeadAndVersionInContext() {
        var machine = makeMachine()
        _ = machine.bytesReceived(bytes("HEAD / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"), now: start)

        let sent = machine.responseReady(HTTPResponse(status: 200), sequence: 0, now: start)

        guard case .send(_, let context)? = sent.first else {
            Issue.record("expected a send action, got \(describe(sent))")
            return
        }
        #expect(context == ResponseContext(isHeadRequest: true, requestVersion: .http10, closesConnection: false))
    }

    // MARK: - Helpers

    func bytes(_ text: String) -> [UInt8] {
        Array(text.utf8)
    }

    func describe(_ actions: [ConnectionStateMachine.Action]) -> [String] {
        actions.map { action in
            switch action {
            case .dispatch(let request, let sequence): "dispatch \(request.method) \(request.target) #\(sequence)"
            case .sendContinue: "continue"
            case .send(let response, let context): "send \(response.status) \(context.closesConnection ? "close" : "keep-alive")"
            case .shutdownOutput: "shutdown output"
            case .close: "close"
            }
        }
    }

    func dispatchedRequests(_ actions: [ConnectionStateMachine.Action]) -> [HTTPRequest] {
        actions.compactMap { action in
            if case .dispatch(let request, _) = action { request } else { nil }
        }
    }
}
