@testable import HTTP
import Testing

@Suite struct ResponseEncoderTests {
    static let date = "Sun, 06 Nov 1994 08:49:37 GMT"
    static let keepAlive = ResponseContext(isHeadRequest: false, requestVersion: .http11, closesConnection: false)

    func encode(_ response: HTTPResponse, context: ResponseContext = keepAlive) throws -> String {
        let encoded = try ResponseEncoder.encode(response, context: context, date: Self.date)
        return String(decoding: encoded.head + encoded.body, as: UTF8.self)
    }

    @Test func encodesStatusFieldsAndBody() throws {
        let response = HTTPResponse(status: 200, headers: ["Content-Type": "text/plain"], body: Array("hi".utf8))

        let text = try encode(response)

        #expect(text == "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nDate: \(Self.date)\r\nContent-Length: 2\r\n\r\nhi")
    }

    @Test func headResponseKeepsLengthWithoutBody() throws {
        let context = ResponseContext(isHeadRequest: true, requestVersion: .http11, closesConnection: false)

        let text = try encode(HTTPResponse(status: 200, body: Array("hello".utf8)), context: context)

        #expect(text.hasSuffix("Content-Length: 5\r\n\r\n"))
    }

    @Test(arguments: [204, 304])
    func bodilessStatusHasNoLength(status: Int) throws {
        let text = try encode(HTTPResponse(status: status, headers: ["ETag": "\"v1\""], body: Array("x".utf8)))

        #expect(!text.contains("Content-Length"))
        #expect(text.hasSuffix("ETag: \"v1\"\r\nDate: \(Self.date)\r\n\r\n"))
    }

    @Test func dropsServerOwnedFields() throws {
        let headers: HTTPHeaders = [
            "content-length": "99", "Transfer-Encoding": "chunked", "Connection": "upgrade", "Keep-Alive": "timeout=5",
        ]

        let text = try encode(HTTPResponse(status: 200, headers: headers))

        #expect(text == "HTTP/1.1 200 OK\r\nDate: \(Self.date)\r\nContent-Length: 0\r\n\r\n")
    }

    @Test func keepsResponderDate() throws {
        let text = try encode(HTTPResponse(status: 200, headers: ["Date": "Mon, 01 Jan 2024 00:00:00 GMT"]))

        #expect(!text.contains(Self.date))
    }

    @Test func announcesClose() throws {
        let context = ResponseContext(isHeadRequest: false, requestVersion: .http11, closesConnection: true)

        #expect(try encode(HTTPResponse(status: 200), context: context).contains("\r\nConnection: close\r\n"))
    }

    @Test func announcesKeepAliveToHTTP10() throws {
        let context = ResponseContext(isHeadRequest: false, requestVersion: .http10, closesConnection: false)

        #expect(try encode(HTTPResponse(status: 200), context: context).contains("\r\nConnection: keep-alive\r\n"))
    }

    @Test func writesEmptyReasonForUnknownStatus() throws {
        #expect(try encode(HTTPResponse(status: 299)).hasPrefix("HTTP/1.1 299 \r\n"))
    }

    @Test(arguments: [
        HTTPResponse(status: 200, headers: ["X-Split": "a\r\nInjected: 1"]),
        HTTPResponse(status: 200, headers: ["X-Nul": "a\u{0}"]),
        HTTPResponse(status: 200, headers: ["Bad Name": "a"]),
        HTTPResponse(status: 200, headers: ["": "a"]),
        HTTPResponse(status: 101),
        HTTPResponse(status: 1000),
    ])
    func rejectsInvalidResponse(_ response: HTTPResponse) {
        #expect(throws: InvalidResponseError.self) { try encode(response) }
    }

    @Test func encodedFieldsPrecedeHeaders() throws {
        let encoded = try #require(EncodedFields(["ETag": "\"v1\"", "Content-Length": "9"]))
        let response = HTTPResponse(status: 304, headers: ["X-Request-Id": "r1"], encodedFields: encoded)

        let text = try encode(response)

        #expect(text == "HTTP/1.1 304 Not Modified\r\nETag: \"v1\"\r\nX-Request-Id: r1\r\nDate: \(Self.date)\r\n\r\n")
    }

    @Test func encodedFieldsKeepTheirDate() throws {
        let encoded = try #require(EncodedFields(["Date": "Mon, 01 Jan 2024 00:00:00 GMT"]))

        let text = try encode(HTTPResponse(status: 200, body: Array("hi".utf8), encodedFields: encoded))

        #expect(text == "HTTP/1.1 200 OK\r\nDate: Mon, 01 Jan 2024 00:00:00 GMT\r\nContent-Length: 2\r\n\r\nhi")
    }

    @Test(arguments: [
        HTTPHeaders([("X-Split", "a\r\nInjected: 1")]), HTTPHeaders([("Bad Name", "a")]), HTTPHeaders([("", "a")]),
    ])
    func encodedFieldsRejectInvalidFields(_ headers: HTTPHeaders) {
        #expect(EncodedFields(headers) == nil)
    }

    @Test func bodyIsPassedOnUncopied() throws {
        let body = Array(repeating: UInt8(ascii: "x"), count: 4096)

        let encoded = try ResponseEncoder.encode(HTTPResponse(status: 200, body: body), context: Self.keepAlive,
                                                 date: Self.date)

        #expect(encoded.body == body)
        #expect(encoded.body.withUnsafeBufferPointer { $0.baseAddress } == body.withUnsafeBufferPointer { $0.baseAddress })
        #expect(String(decoding: encoded.head, as: UTF8.self).hasSuffix("Content-Length: 4096\r\n\r\n"))
    }

    @Test func statusLinesOfEveryCode() throws {
        #expect(try encode(HTTPResponse(status: 404)).hasPrefix("HTTP/1.1 404 Not Found\r\n"))
        #expect(try encode(HTTPResponse(status: 200)).hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(try encode(HTTPResponse(status: 304)).hasPrefix("HTTP/1.1 304 Not Modified\r\n"))
    }
}

extension HTTPResponse: CustomTestStringConvertible {
    public var testDescription: String { "status \(status), fields \(headers.map(\.name))" }
}
