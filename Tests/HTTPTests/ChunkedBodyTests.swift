@testable import HTTP
import Testing

@Suite struct ChunkedBodyTests {
    static let head = "POST /upload HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked \r\n\r\n"

    @Test func decodesChunks() throws {
        let outcome = parse(Self.head + "5\r\nhello\r\n7\r\n, world\r\n0\r\n\r\n")

        let request = try #require(outcome.requests.first)
        #expect(request.head.framing == .chunked)
        #expect(request.body == Array("hello, world".utf8))
    }

    @Test func decodesChunksFedOneByteAtATime() throws {
        let outcome = parse(Self.head + "A\r\n0123456789\r\n0\r\n\r\n", pieceSize: 1)

        let request = try #require(outcome.requests.first)
        #expect(request.body == Array("0123456789".utf8))
    }

    @Test func ignoresChunkExtensions() throws {
        let outcome = parse(Self.head + "3 ;name=\"value\"\r\nabc\r\n0;last\r\n\r\n")

        let request = try #require(outcome.requests.first)
        #expect(request.body == Array("abc".utf8))
    }

    @Test func checksAndDropsTrailers() throws {
        let outcome = parse(Self.head + "1\r\nx\r\n0\r\nX-Checksum: 1\r\n\r\n")

        let request = try #require(outcome.requests.first)
        #expect(request.body == Array("x".utf8))
        #expect(request.head.headers.first("X-Checksum") == nil)
    }

    @Test func acceptsEmptyChunkedBody() throws {
        let outcome = parse(Self.head + "0\r\n\r\n")

        let request = try #require(outcome.requests.first)
        #expect(request.body.isEmpty)
    }

    @Test func parsesRequestAfterChunkedBody() {
        let outcome = parse(Self.head + "1\r\nx\r\n0\r\n\r\n" + "GET /next HTTP/1.1\r\nHost: a\r\n\r\n")

        #expect(outcome.requests.map(\.head.target) == ["/upload", "/next"])
    }

    @Test func acceptsBodyAtLimit() throws {
        let outcome = parse(Self.head + "6\r\nabcdef\r\n4\r\nghij\r\n0\r\n\r\n", limits: HTTPLimits(maxBodyBytes: 10))

        let request = try #require(outcome.requests.first)
        #expect(request.body.count == 10)
    }
}
