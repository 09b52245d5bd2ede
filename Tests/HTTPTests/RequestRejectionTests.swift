@testable import HTTP
import Testing

/// Each malformed or oversized request, with the status of the rejection the parser must return.
@Suite struct RequestRejectionTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let request: String
        let status: Int
        var limits = HTTPLimits()

        var testDescription: String { name }
    }

    static let host = "Host: a\r\n"

    static let cases: [Case] = [
        Case(name: "bare LF ends request line", request: "GET / HTTP/1.1\n\(host)\r\n", status: 400),
        Case(name: "bare LF ends field line", request: "GET / HTTP/1.1\r\nHost: a\n\r\n", status: 400),
        Case(name: "bare LF after valid value", request: "GET / HTTP/1.1\r\n\(host)X: 12\n\r\n", status: 400),
        Case(name: "bare LF ends head", request: "GET / HTTP/1.1\r\n\(host)\n", status: 400),
        Case(name: "bare CR inside field line", request: "GET / HTTP/1.1\r\nX: a\rb\r\n\(host)\r\n", status: 400),
        Case(name: "two spaces after method", request: "GET  / HTTP/1.1\r\n\(host)\r\n", status: 400),
        Case(name: "space inside target", request: "GET /a b HTTP/1.1\r\n\(host)\r\n", status: 400),
        Case(name: "missing version", request: "GET /\r\n\(host)\r\n", status: 400),
        Case(name: "method not a token", request: "G(T / HTTP/1.1\r\n\(host)\r\n", status: 400),
        Case(name: "empty method", request: " / HTTP/1.1\r\n\(host)\r\n", status: 400),
        Case(name: "absolute-form target", request: "GET http://a/ HTTP/1.1\r\n\(host)\r\n", status: 400),
        Case(name: "asterisk with GET", request: "GET * HTTP/1.1\r\n\(host)\r\n", status: 400),
        Case(name: "bad percent escape", request: "GET /%zz HTTP/1.1\r\n\(host)\r\n", status: 400),
        Case(name: "truncated percent escape", request: "GET /%4 HTTP/1.1\r\n\(host)\r\n", status: 400),
        Case(name: "fragment in target", request: "GET /a#b HTTP/1.1\r\n\(host)\r\n", status: 400),
        Case(name: "lower-case protocol name", request: "GET / http/1.1\r\n\(host)\r\n", status: 400),
        Case(name: "version without minor", request: "GET / HTTP/1\r\n\(host)\r\n", status: 400),
        Case(name: "HTTP/2.0", request: "GET / HTTP/2.0\r\n\(host)\r\n", status: 505),
        Case(name: "HTTP/1.2", request: "GET / HTTP/1.2\r\n\(host)\r\n", status: 505),
        Case(name: "HTTP/0.9", request: "GET / HTTP/0.9\r\n\(host)\r\n", status: 505),
        Case(
            name: "request line over limit", request: "GET /\(String(repeating: "a", count: 100)) HTTP/1.1\r\n\(host)\r\n",
            status: 414, limits: HTTPLimits(maxRequestLineBytes: 64)
        ),
        Case(
            name: "unfinished request line over limit", request: "GET /\(String(repeating: "a", count: 100))",
            status: 414, limits: HTTPLimits(maxRequestLineBytes: 64)
        ),
        Case(name: "space before colon", request: "GET / HTTP/1.1\r\nHost : a\r\n\r\n", status: 400),
        Case(name: "tab before colon", request: "GET / HTTP/1.1\r\nHost\t: a\r\n\r\n", status: 400),
        Case(name: "obsolete line folding", request: "GET / HTTP/1.1\r\n\(host)X: a\r\n b\r\n\r\n", status: 400),
        Case(name: "field name not a token", request: "GET / HTTP/1.1\r\n\(host)X(Y): a\r\n\r\n", status: 400),
        Case(name: "field line without colon", request: "GET / HTTP/1.1\r\n\(host)Nonsense\r\n\r\n", status: 400),
        Case(name: "empty field name", request: "GET / HTTP/1.1\r\n\(host): a\r\n\r\n", status: 400),
        Case(name: "NUL in field value", request: "GET / HTTP/1.1\r\n\(host)X: a\u{0}b\r\n\r\n", status: 400),
        Case(name: "DEL in field value", request: "GET / HTTP/1.1\r\n\(host)X: a\u{7F}b\r\n\r\n", status: 400),
        Case(
            name: "too many header fields",
            request: "GET / HTTP/1.1\r\n\(host)" + String(repeating: "X: 1\r\n", count: 3) + "\r\n",
            status: 431, limits: HTTPLimits(maxHeaderCount: 3)
        ),
        Case(
            name: "200 header lines",
            request: "GET / HTTP/1.1\r\n\(host)" + (1...200).map { "X-\($0): v\r\n" }.joined() + "\r\n", status: 431
        ),
        Case(
            name: "header section over limit",
            request: "GET / HTTP/1.1\r\n\(host)X: \(String(repeating: "v", count: 200))\r\n\r\n",
            status: 431, limits: HTTPLimits(maxHeaderBytes: 128)
        ),
        Case(
            name: "unfinished field line over limit",
            request: "GET / HTTP/1.1\r\n\(host)X: \(String(repeating: "v", count: 200))",
            status: 431, limits: HTTPLimits(maxHeaderBytes: 128)
        ),
        Case(name: "HTTP/1.1 without Host", request: "GET / HTTP/1.1\r\n\r\n", status: 400),
        Case(name: "two Host fields", request: "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", status: 400),
        Case(name: "Host with space", request: "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", status: 400),
        Case(name: "empty Host", request: "GET / HTTP/1.1\r\nHost:\r\n\r\n", status: 400),
        Case(name: "negative Content-Length", request: "POST / HTTP/1.1\r\n\(host)Content-Length: -1\r\n\r\n", status: 400),
        Case(name: "signed Content-Length", request: "POST / HTTP/1.1\r\n\(host)Content-Length: +1\r\n\r\nx", status: 400),
        Case(
            name: "Content-Length +5", request: "POST / HTTP/1.1\r\n\(host)Content-Length: +5\r\n\r\nhello", status: 400
        ),
        Case(name: "Content-Length list", request: "POST / HTTP/1.1\r\n\(host)Content-Length: 1, 1\r\n\r\nx", status: 400),
        Case(name: "hex Content-Length", request: "POST / HTTP/1.1\r\n\(host)Content-Length: 0x1\r\n\r\nx", status: 400),
        Case(name: "empty Content-Length", request: "POST / HTTP/1.1\r\n\(host)Content-Length:\r\n\r\n", status: 400),
        Case(
            name: "overflowing Content-Length",
            request: "POST / HTTP/1.1\r\n\(host)Content-Length: 99999999999999999999999\r\n\r\n", status: 400
        ),
        Case(
            name: "different Content-Length values",
            request: "POST / HTTP/1.1\r\n\(host)Content-Length: 1\r\nContent-Length: 2\r\n\r\nxx", status: 400
        ),
        Case(
            name: "Content-Length over body limit",
            request: "POST / HTTP/1.1\r\n\(host)Content-Length: 11\r\n\r\n", status: 413, limits: HTTPLimits(maxBodyBytes: 10)
        ),
        Case(name: "gzip transfer coding", request: "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: gzip\r\n\r\n", status: 501),
        Case(
            name: "gzip before chunked",
            request: "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: gzip, chunked\r\n\r\n", status: 501
        ),
        Case(
            name: "gzip after chunked",
            request: "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n", status: 501
        ),
        Case(
            name: "chunked twice",
            request: "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
            status: 400
        ),
        Case(
            name: "chunked with empty element",
            request: "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: chunked,\r\n\r\n", status: 400
        ),
        Case(
            name: "Transfer-Encoding with Content-Length",
            request: "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n", status: 400
        ),
        Case(name: "Transfer-Encoding on HTTP/1.0", request: "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", status: 400),
        Case(name: "unknown expectation", request: "GET / HTTP/1.1\r\n\(host)Expect: 200-ok\r\n\r\n", status: 417),
        Case(
            name: "two expectations",
            request: "PUT / HTTP/1.1\r\n\(host)Expect: 100-continue\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\nx",
            status: 417
        ),
        Case(name: "chunk size not hex", request: chunked("zz\r\nab\r\n0\r\n\r\n"), status: 400),
        Case(name: "chunk size with sign", request: chunked("+2\r\nab\r\n0\r\n\r\n"), status: 400),
        Case(name: "chunk size with space", request: chunked("2 \r\nab\r\n0\r\n\r\n"), status: 400),
        Case(
            name: "chunk over body limit", request: chunked("b\r\nabcdefghijk\r\n0\r\n\r\n"), status: 413,
            limits: HTTPLimits(maxBodyBytes: 10)
        ),
        Case(
            name: "chunks together over body limit", request: chunked("6\r\nabcdef\r\n6\r\nabcdef\r\n0\r\n\r\n"),
            status: 413, limits: HTTPLimits(maxBodyBytes: 10)
        ),
        Case(name: "chunk size overflowing", request: chunked("ffffffffffffffff\r\n"), status: 413),
        Case(name: "chunk size with 17 digits", request: chunked("00000000000000001\r\na\r\n0\r\n\r\n"), status: 400),
        // 413 rather than 400, because the size is read digit by digit and passes maxBodyBytes (1 MiB) at the sixth
        // f, long before the 17-digit cap. Without a body limit, the sixteenth f would overflow Int, also a 413.
        Case(
            name: "chunk size of 17 f digits", request: chunked("fffffffffffffffff\r\na\r\n0\r\n\r\n"), status: 413
        ),
        Case(
            name: "chunk extension over limit", request: chunked("1;\(String(repeating: "e", count: 40))\r\na\r\n0\r\n\r\n"),
            status: 400, limits: HTTPLimits(maxChunkExtensionBytes: 16)
        ),
        Case(name: "chunk extension with control byte", request: chunked("1;a\u{1}\r\na\r\n0\r\n\r\n"), status: 400),
        Case(name: "chunk data without CRLF", request: chunked("1\r\nab\r\n0\r\n\r\n"), status: 400),
        Case(name: "chunk data with bare LF", request: chunked("1\r\na\n0\r\n\r\n"), status: 400),
        Case(
            name: "trailer section over limit", request: chunked("0\r\nX: \(String(repeating: "t", count: 64))\r\n\r\n"),
            status: 431, limits: HTTPLimits(maxTrailerBytes: 32)
        ),
        Case(name: "malformed trailer field", request: chunked("0\r\nX : t\r\n\r\n"), status: 400),
    ]

    static func chunked(_ body: String) -> String {
        "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: chunked\r\n\r\n" + body
    }

    @Test(arguments: cases)
    func rejectsWithStatus(_ testCase: Case) {
        let outcome = parse(testCase.request, limits: testCase.limits)

        #expect(outcome.requests.isEmpty)
        #expect(outcome.status == testCase.status)
    }

    @Test(arguments: cases)
    func rejectsWithStatusWhenFedByteByByte(_ testCase: Case) {
        let outcome = parse(testCase.request, limits: testCase.limits, pieceSize: 1)

        #expect(outcome.requests.isEmpty)
        #expect(outcome.status == testCase.status)
    }

    @Test func rejectionCarriesProblemType() {
        let outcome = parse("GET / HTTP/3.0\r\n\r\n")

        #expect(outcome.rejection?.problem.type == "urn:perimeter:problem:version-not-supported")
        #expect(outcome.rejection?.problem.title == "HTTP Version Not Supported")
    }
}
