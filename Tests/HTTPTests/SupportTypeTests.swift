@testable import HTTP
import Testing

@Suite struct HTTPHeadersTests {
    @Test func looksUpNamesIgnoringCase() {
        let headers: HTTPHeaders = ["Content-Type": "text/plain", "X-A": "1", "x-a": "2"]

        #expect(headers["content-type"] == ["text/plain"])
        #expect(headers["X-A"] == ["1", "2"])
        #expect(headers.first("X-a") == "1")
        #expect(headers.first("Missing") == nil)
        #expect(headers.contains(name: "CONTENT-TYPE"))
    }

    @Test func replaceOrAddRemovesEveryMatch() {
        var headers = HTTPHeaders([("X-A", "1"), ("Other", "o"), ("x-a", "2")])

        headers.replaceOrAdd(name: "X-A", value: "3")

        #expect(headers.map(\.name) == ["Other", "X-A"])
        #expect(headers["x-a"] == ["3"])
    }

    @Test func addKeepsEarlierLines() {
        var headers = HTTPHeaders()

        headers.add(name: "Vary", value: "Accept")
        headers.add(name: "Vary", value: "Prefer")

        #expect(headers["vary"] == ["Accept", "Prefer"])
        #expect(headers.count == 2)
    }

    @Test func equalityKeepsOrder() {
        #expect(HTTPHeaders([("A", "1"), ("B", "2")]) == HTTPHeaders([("A", "1"), ("B", "2")]))
        #expect(HTTPHeaders([("A", "1"), ("B", "2")]) != HTTPHeaders([("B", "2"), ("A", "1")]))
    }
}

@Suite struct SupportTypeTests {
    @Test func formatsIMFFixdate() {
        #expect(HTTPDate.format(secondsSinceEpoch: 784_111_777) == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(HTTPDate.format(secondsSinceEpoch: 0) == "Thu, 01 Jan 1970 00:00:00 GMT")
    }

    @Test func describesSocketAddresses() {
        #expect(SocketAddress(host: "192.0.2.1", port: 80).description == "192.0.2.1:80")
        #expect(SocketAddress(host: "2001:db8::1", port: 443).description == "[2001:db8::1]:443")
    }

    @Test func rendersProblemJSON() {
        let problem = ProblemDocument(slug: "malformed-request", status: 400, detail: "Quote \" and\ttab\u{1}")

        #expect(problem.json == """
            {"type":"urn:perimeter:problem:malformed-request","title":"Bad Request","status":400,\
            "detail":"Quote \\" and\\ttab\\u0001"}
            """)
    }

    @Test func problemResponseHasProblemContentType() {
        let response = ProblemDocument(slug: "uri-too-long", status: 414, detail: "d").makeResponse()

        #expect(response.status == 414)
        #expect(response.headers.first("Content-Type") == "application/problem+json")
    }

    @Test func deadlineQueuePopsInOrder() {
        let start = MonotonicInstant.now
        var queue = DeadlineQueue()
        for (offset, id) in [(5, 1), (1, 2), (3, 3), (1, 4), (9, 5)] {
            queue.insert(DeadlineQueue.Entry(deadline: start + .seconds(offset), connectionID: UInt64(id)))
        }

        var popped: [UInt64] = []
        while let entry = queue.popExpired(now: start + .seconds(5)) {
            popped.append(entry.connectionID)
        }

        #expect(Set(popped.prefix(2)) == [2, 4])
        #expect(popped.dropFirst(2) == [3, 1])
        #expect(queue.earliest == start + .seconds(9))
        #expect(queue.popExpired(now: start + .seconds(8)) == nil)
    }
}

@Suite struct ByteClassTests {
    private static func bytes(_ grammar: String) -> Set<UInt8> {
        Set(grammar.utf8).union(UInt8(ascii: "0")...UInt8(ascii: "9"))
            .union(UInt8(ascii: "a")...UInt8(ascii: "z")).union(UInt8(ascii: "A")...UInt8(ascii: "Z"))
    }

    @Test func tokenCharactersMatchGrammar() {
        let tchar = Self.bytes("!#$%&'*+-.^_`|~")
        for byte in UInt8.min...UInt8.max {
            #expect(byte.isTokenCharacter == tchar.contains(byte), "byte \(byte)")
        }
    }

    @Test func targetCharactersMatchGrammar() {
        let allowed = Self.bytes("-._~!$&'()*+,;=:@/?")
        for byte in UInt8.min...UInt8.max {
            #expect(byte.isTargetCharacter == allowed.contains(byte), "byte \(byte)")
        }
    }

    @Test func hostCharactersMatchGrammar() {
        let allowed = Self.bytes("-._~!$&'()*+,;=%:[]")
        for byte in UInt8.min...UInt8.max {
            #expect(byte.isHostCharacter == allowed.contains(byte), "byte \(byte)")
        }
    }

    @Test func caseInsensitiveEqualityFoldsOnlyLetters() {
        #expect("Content-Length".equalsIgnoringASCIICase("content-LENGTH"))
        #expect(!"Content-Length".equalsIgnoringASCIICase("Content-Lengt"))
        // "@" and "`", like "[" and "{", differ only in bit 0x20 but are not letters, so they are not folded.
        #expect(!"a@".equalsIgnoringASCIICase("a`"))
        #expect(!"[".equalsIgnoringASCIICase("{"))
        #expect("Ünïcode".equalsIgnoringASCIICase("üNïCODE") == false)
        #expect("Ünïcode".equalsIgnoringASCIICase("ÜNïCODE"))
    }
}

@Suite struct HeaderValueLookupTests {
    @Test func valuesFollowWireOrder() {
        let headers = HTTPHeaders([("Vary", "a"), ("Other", "o"), ("vary", "b")])

        #expect(Array(headers.values(named: "VARY")) == ["a", "b"])
        #expect(Array(headers.values(named: "Missing")).isEmpty)
    }

    @Test func onlyValueNeedsExactlyOne() {
        let headers = HTTPHeaders([("Vary", "a"), ("Host", "h"), ("vary", "b")])

        #expect(headers.onlyValue(named: "host") == "h")
        #expect(headers.onlyValue(named: "Vary") == nil)
        #expect(headers.onlyValue(named: "Missing") == nil)
    }
}

@Suite struct RequestTargetTests {
    private let peer = SocketAddress(host: "127.0.0.1", port: 1)

    @Test func splitsPathAndQueryAtFirstMark() {
        let request = HTTPRequest(method: "GET", target: "/v1/a?wait=5?x", peer: peer, loopIndex: 3)

        #expect(request.path == "/v1/a")
        #expect(request.query == "wait=5?x")
        #expect(request.loopIndex == 3)
    }

    @Test func targetWithoutQuery() {
        let request = HTTPRequest(method: "GET", target: "/v1/environments/default/bundle", peer: peer)

        #expect(request.path == "/v1/environments/default/bundle")
        #expect(request.query == nil)
    }

    @Test func emptyQueryIsNotNil() {
        #expect(HTTPRequest(method: "GET", target: "/a?", peer: peer).query == "")
    }
}

@Suite struct MonotonicInstantTests {
    @Test func addsAndMeasuresDurations() {
        let start = MonotonicInstant(nanoseconds: 1_000)

        #expect((start + .milliseconds(2)).nanoseconds == 2_001_000)
        #expect(start.duration(to: start + .seconds(3)) == .seconds(3))
        #expect((start + .seconds(1)) - start == .seconds(1))
        #expect(start < start + .nanoseconds(1))
    }

    @Test func saturatesInsteadOfOverflowing() {
        let late = MonotonicInstant(nanoseconds: .max - 5)

        #expect((late + .seconds(1)).nanoseconds == .max)
        #expect((MonotonicInstant(nanoseconds: 0) + .seconds(Int64.max)).nanoseconds == .max)
    }

    @Test func nowMovesForward() {
        let first = MonotonicInstant.now
        let second = MonotonicInstant.now

        #expect(first <= second)
    }
}

@Suite struct ControlCharacterScanTests {
    private func scan(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer { $0.containsFieldControlCharacter() }
    }

    private func byteByByte(_ bytes: [UInt8]) -> Bool {
        bytes.contains { !$0.isFieldValueCharacter }
    }

    @Test func agreesWithByteTestAtEveryPosition() {
        // Every byte value at every offset of a 19-byte value, so both the word loop and the tail see each one.
        for byte in UInt8.min...UInt8.max {
            for offset in 0..<19 {
                var bytes = Array(repeating: UInt8(ascii: "a"), count: 19)
                bytes[offset] = byte
                #expect(scan(bytes) == byteByByte(bytes), "byte \(byte) at \(offset)")
            }
        }
    }

    @Test func agreesOnMixedValues() {
        let values: [[UInt8]] = [
            [], Array("Bearer abc".utf8), Array("a\tb\tc\td\te\tf\tg\th".utf8), [0x80, 0x1F, 0xFF, 0x20, 0x7E, 0x7F],
            Array(repeating: 0x80, count: 16), Array(repeating: 0x21, count: 16) + [0x00], [0x09, 0x09, 0x09, 0x09, 0x09, 0x09, 0x09, 0x09],
        ]
        for value in values {
            #expect(scan(value) == byteByByte(value), "\(value)")
        }
    }
}
