@testable import HTTP
import Testing

/// Faults that `fuzz/run request-parser` found, each tested with the exact bytes of the finding and with smaller
/// inputs of the same kind. The findings are also in `fuzz/corpus/request-parser`.
@Suite struct FuzzRegressionTests {
    /// The small limits of the fuzz target, under which the findings were made.
    static let fuzzLimits = HTTPLimits(
        maxRequestLineBytes: 64,
        maxHeaderCount: 8,
        maxHeaderBytes: 256,
        maxBodyBytes: 64,
        maxChunkExtensionBytes: 16,
        maxTrailerBytes: 64
    )

    /// Piece sizes for feeding one input several ways, where nil feeds it at once.
    static let pieceSizes: [Int?] = [nil, 1, 2, 3, 7, 64]

    // MARK: - A body that ends in CR

    /// `Content-Length: 2` makes the body `3\r`, and the bare LF after it starts a malformed second request. Fed
    /// byte by byte, the parser took the body's CR for the start of a CRLF, set its scan offset to -1 and trapped
    /// with an index out of range on the next byte.
    static let bodyEndingInCarriageReturn = Array(
        ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encodi*g: chunked\r\nContent-Length: 2\r\n\r\n"
            + "3\r\nabc\r\n0\r\n\r\n").utf8
    )

    @Test func bodyEndingInCRFedByteByByte() {
        let outcome = parse(bytes: Self.bodyEndingInCarriageReturn, limits: Self.fuzzLimits, pieceSize: 1)

        #expect(outcome.requests.map(\.body) == [Array("3\r".utf8)])
        #expect(outcome.status == 400)
        #expect(outcome.rejection?.detail == "A line ends in a bare LF; lines must end in CRLF.")
    }

    @Test func parsesRequestAfterBodyEndingInCR() {
        var parser = RequestParser(limits: HTTPLimits())
        parser.append(Array("PUT / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nx\r".utf8))
        guard case .head = parser.next() else {
            Issue.record("the first request has no head")
            return
        }
        #expect(parser.next() == .end(body: Array("x\r".utf8)))
        #expect(parser.next() == .needMoreBytes)

        parser.append(Array("GET /next HTTP/1.1\r\nHost: a\r\n\r\n".utf8))

        guard case .head(let head) = parser.next() else {
            Issue.record("the second request has no head")
            return
        }
        #expect(head.target == "/next")
        #expect(parser.next() == .end(body: []))
        #expect(parser.next() == .needMoreBytes)
        #expect(parser.phase == .idle)
    }

    // MARK: - Limits and splitting

    /// A request line of 67 bytes that ends in a bare LF. Parsed at once, it got 400 for the bare LF. Fed byte by
    /// byte, it got 414 when the 66th byte arrived, before the LF.
    static let longLineEndingInBareLineFeed: [UInt8] = [
        0x4D, 0x4D, 0x4D, 0x4D, 0x4D, 0x4D, 0x74, 0x74, 0x70, 0x2D, 0x31, 0x2E, 0x31, 0x4D, 0x4D, 0x4D,
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x4D, 0x4D, 0x4D, 0x4D, 0x4D, 0x4D, 0x4D,
        0x4D, 0x5D, 0x4D, 0xCD, 0x74, 0x70, 0x2D, 0x31, 0x2E, 0x4D, 0x4D, 0x4D, 0x4D, 0xFF, 0xFF, 0xFF,
        0xFF, 0xFF, 0xFF, 0x0A,
    ]

    @Test func longLineWithBareLFGets414HoweverSplit() {
        for pieceSize in Self.pieceSizes {
            let outcome = parse(bytes: Self.longLineEndingInBareLineFeed, limits: Self.fuzzLimits, pieceSize: pieceSize)

            #expect(outcome.status == 414, "pieces of \(pieceSize.map(String.init) ?? "all") bytes")
        }
    }

    @Test func requestLineOverLimitWithBareCRGets414HoweverSplit() {
        let text = "GET /\(String(repeating: "a", count: 70))\rx HTTP/1.1\r\nHost: a\r\n\r\n"

        for pieceSize in Self.pieceSizes {
            let outcome = parse(text, limits: Self.fuzzLimits, pieceSize: pieceSize)

            #expect(outcome.status == 414, "pieces of \(pieceSize.map(String.init) ?? "all") bytes")
        }
    }

    @Test func fieldLineOverLimitWithBareLFGets431HoweverSplit() {
        let text = "GET / HTTP/1.1\r\nHost: a\r\nX: \(String(repeating: "v", count: 300))\n\r\n"

        for pieceSize in Self.pieceSizes {
            let outcome = parse(text, limits: Self.fuzzLimits, pieceSize: pieceSize)

            #expect(outcome.status == 431, "pieces of \(pieceSize.map(String.init) ?? "all") bytes")
        }
    }

    /// The size `ff` is over the body limit, but the line is longer than 16 hex digits plus 16 bytes of extensions
    /// before its CRLF arrives. Parsed at once, the size was read first and the request got 413.
    @Test func chunkSizeLineOverLimitGets400HoweverSplit() {
        let text = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "ff;\(String(repeating: "e", count: 40))\r\n"

        for pieceSize in Self.pieceSizes {
            let outcome = parse(text, limits: Self.fuzzLimits, pieceSize: pieceSize)

            #expect(outcome.status == 400, "pieces of \(pieceSize.map(String.init) ?? "all") bytes")
            #expect(outcome.rejection?.detail == "A chunk-size line is too long.")
        }
    }

    @Test func trailerLineOverLimitWithBareCRGets431HoweverSplit() {
        let text = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "0\r\nX: \(String(repeating: "t", count: 80))\rt\r\n\r\n"

        for pieceSize in Self.pieceSizes {
            let outcome = parse(text, limits: Self.fuzzLimits, pieceSize: pieceSize)

            #expect(outcome.status == 431, "pieces of \(pieceSize.map(String.init) ?? "all") bytes")
        }
    }

    @Test func linesAtExactLimitsPassHoweverSplit() {
        // A request line of 64 bytes and a header section of exactly 256 bytes (9 + 245 + 2).
        let requestLine = "GET /\(String(repeating: "a", count: 50)) HTTP/1.1"
        let field = "X: \(String(repeating: "v", count: 240))\r\n"
        let text = "\(requestLine)\r\nHost: a\r\n\(field)\r\n"
        #expect(requestLine.utf8.count == 64)
        #expect(field.utf8.count == 245)

        for pieceSize in Self.pieceSizes {
            let outcome = parse(text, limits: Self.fuzzLimits, pieceSize: pieceSize)

            #expect(outcome.rejection == nil, "pieces of \(pieceSize.map(String.init) ?? "all") bytes")
            #expect(outcome.requests.count == 1)
        }
    }
}
