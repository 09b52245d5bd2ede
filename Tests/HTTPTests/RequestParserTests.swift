@testable import HTTP
import Testing

@Suite struct RequestParserTests {
    @Test func parsesGetWithQuery() throws {
        let outcome = parse("GET /v1/bundle?env=prod&x=%2F HTTP/1.1\r\nHost: example.test\r\nAccept: */*\r\n\r\n")

        let request = try #require(outcome.requests.first)
        #expect(outcome.rejection == nil)
        #expect(request.head.method == "GET")
        #expect(request.head.target == "/v1/bundle?env=prod&x=%2F")
        #expect(request.head.version == .http11)
        #expect(request.head.headers.first("host") == "example.test")
        #expect(request.head.framing == .none)
        #expect(request.head.isKeepAlive)
        #expect(request.body.isEmpty)
    }

    @Test func splitsPathAndQueryWithoutDecoding() {
        let request = HTTPRequest(method: "GET", target: "/a%20b?x=1?y", peer: SocketAddress(host: "::1", port: 1))

        #expect(request.path == "/a%20b")
        #expect(request.query == "x=1?y")
    }

    @Test func parsesRequestFedOneByteAtATime() throws {
        let text = "POST /items HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello"

        let outcome = parse(text, pieceSize: 1)

        let request = try #require(outcome.requests.first)
        #expect(request.head.framing == .contentLength(5))
        #expect(request.body == Array("hello".utf8))
    }

    @Test func keepsRepeatedFieldLinesInWireOrder() throws {
        let outcome = parse("GET / HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 1.1.1.1\r\nx-forwarded-for: 2.2.2.2\r\n\r\n")

        let request = try #require(outcome.requests.first)
        #expect(request.head.headers["X-FORWARDED-FOR"] == ["1.1.1.1", "2.2.2.2"])
        #expect(request.head.headers.map(\.name) == ["Host", "X-Forwarded-For", "x-forwarded-for"])
    }

    @Test func trimsWhitespaceAroundFieldValues() throws {
        let outcome = parse("GET / HTTP/1.1\r\nHost: a\r\nX-Note: \t one\ttwo \t\r\n\r\n")

        let request = try #require(outcome.requests.first)
        #expect(request.head.headers.first("X-Note") == "one\ttwo")
    }

    @Test func skipsEmptyLinesBeforeRequestLine() {
        let outcome = parse("\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n")

        #expect(outcome.requests.count == 1)
        #expect(outcome.rejection == nil)
    }

    @Test func parsesPipelinedRequestsInOrder() {
        let text = "GET /one HTTP/1.1\r\nHost: a\r\n\r\n"
            + "POST /two HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc"
            + "GET /three HTTP/1.1\r\nHost: a\r\n\r\n"

        let outcome = parse(text)

        #expect(outcome.requests.map(\.head.target) == ["/one", "/two", "/three"])
        #expect(outcome.requests[1].body == Array("abc".utf8))
    }

    @Test func waitsForRestOfBody() {
        let outcome = parse("PUT / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc")

        #expect(outcome.requests.isEmpty)
        #expect(outcome.isWaitingInsideMessage)
    }

    @Test func acceptsOptionsAsterisk() throws {
        let outcome = parse("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n")

        let request = try #require(outcome.requests.first)
        #expect(request.head.target == "*")
    }

    @Test func acceptsIdenticalRepeatedContentLength() throws {
        let outcome = parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok")

        let request = try #require(outcome.requests.first)
        #expect(request.body == Array("ok".utf8))
    }

    @Test func acceptsHTTP10WithoutHost() throws {
        let outcome = parse("GET / HTTP/1.0\r\n\r\n")

        let request = try #require(outcome.requests.first)
        #expect(request.head.version == .http10)
        #expect(!request.head.isKeepAlive)
    }

    @Test func keepsHTTP10AliveOnRequest() throws {
        let outcome = parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n")

        let request = try #require(outcome.requests.first)
        #expect(request.head.isKeepAlive)
    }

    @Test func connectionCloseEndsKeepAlive() throws {
        let outcome = parse("GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, Close\r\n\r\n")

        let request = try #require(outcome.requests.first)
        #expect(!request.head.isKeepAlive)
    }

    @Test func expectContinueIsRecorded() throws {
        let outcome = parse("PUT / HTTP/1.1\r\nHost: a\r\nExpect: 100-Continue\r\nContent-Length: 1\r\n\r\nx")

        let request = try #require(outcome.requests.first)
        #expect(request.head.expectsContinue)
    }

    @Test func expectContinueWithoutBodyNeedsNoInterim() throws {
        let outcome = parse("GET / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\n\r\n")

        let request = try #require(outcome.requests.first)
        #expect(!request.head.expectsContinue)
    }

    @Test func ignoresExpectationOnHTTP10() throws {
        let outcome = parse("PUT / HTTP/1.0\r\nExpect: something\r\nContent-Length: 1\r\n\r\nx")

        let request = try #require(outcome.requests.first)
        #expect(!request.head.expectsContinue)
    }

    @Test func acceptsLimitsExactly() {
        let limits = HTTPLimits(maxRequestLineBytes: 16, maxHeaderCount: 2, maxHeaderBytes: 22, maxBodyBytes: 3)
        // "GET /abc HTTP/1.1" is 17 bytes, so this line of 16 is the longest allowed.
        let text = "GET /ab HTTP/1.1\r\nHost: a\r\nX-Y: 1234\r\n\r\n"
        let postText = "PUT /ab HTTP/1.1\r\nHost: a\r\nX-Y: 123\r\nContent-Length: 3\r\n\r\nabc"

        #expect(parse(text, limits: limits).requests.count == 1)
        #expect(parse(postText, limits: limits).status == 431)
        #expect(parse(postText, limits: HTTPLimits(maxBodyBytes: 3)).requests.count == 1)
    }

    @Test func rejectionIsFinal() {
        var parser = RequestParser(limits: HTTPLimits())
        parser.append(Array("GET / HTTP/1.1\nHost: a\r\n\r\n".utf8))

        let first = parser.next()
        parser.append(Array("GET / HTTP/1.1\r\nHost: a\r\n\r\n".utf8))

        #expect(first == parser.next())
        #expect(parser.phase == .failed)
    }
}
