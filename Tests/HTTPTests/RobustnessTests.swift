@testable import HTTP
import Testing

/// Random and mutated input must end in requests, a rejection or a wait for more bytes, never a crash or a hang.
@Suite struct RobustnessTests {
    /// A fixed-seed generator (SplitMix64), so a failure can be reproduced.
    struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64

        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var value = state
            value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
            value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
            return value ^ (value >> 31)
        }
    }

    static let seeds: [String] = [
        "GET /a?b=c HTTP/1.1\r\nHost: t\r\nConnection: keep-alive\r\n\r\n",
        "POST /p HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\nhello",
        "PUT /c HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n0\r\nT: 1\r\n\r\n",
        "OPTIONS * HTTP/1.0\r\n\r\n",
    ]

    @Test func survivesMutatedRequests() {
        var generator = SeededGenerator(state: 42)
        let limits = HTTPLimits(maxRequestLineBytes: 64, maxHeaderCount: 8, maxHeaderBytes: 256, maxBodyBytes: 64)
        let alphabet = Array("\r\n :;,0123456789abcdefABCDEF-/?*%\t\u{0}\u{7F}HTTP".utf8) + [0xFF, 0x80]

        for _ in 0..<3_000 {
            var bytes = Array(Self.seeds.randomElement(using: &generator)!.utf8)
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                let index = Int.random(in: 0..<bytes.count, using: &generator)
                switch Int.random(in: 0..<3, using: &generator) {
                case 0: bytes[index] = alphabet.randomElement(using: &generator)!
                case 1: bytes.insert(alphabet.randomElement(using: &generator)!, at: index)
                default: bytes.remove(at: index)
                }
            }
            let pieceSize = Int.random(in: 1...16, using: &generator)

            let outcome = parse(bytes: bytes, limits: limits, pieceSize: pieceSize)

            for request in outcome.requests {
                #expect(request.body.count <= limits.maxBodyBytes)
                #expect(request.head.headers.count <= limits.maxHeaderCount)
            }
        }
    }

    @Test func survivesRandomBytesInStateMachine() {
        var generator = SeededGenerator(state: 7)
        let start = MonotonicInstant.now
        let peer = SocketAddress(host: "192.0.2.1", port: 1)

        for _ in 0..<500 {
            var machine = ConnectionStateMachine(peer: peer, limits: HTTPLimits(), timeouts: HTTPTimeouts(), now: start)
            var sequence: UInt64 = 0
            for step in 0..<20 {
                let now = start + .milliseconds(step * 700)
                let count = Int.random(in: 0..<64, using: &generator)
                let bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
                var actions = machine.bytesReceived(bytes, now: now)
                actions += machine.responseReady(HTTPResponse(status: 200), sequence: sequence, now: now)
                actions += machine.writeCompleted(now: now)
                actions += machine.deadlineReached(now: now + .seconds(Int.random(in: 0...70, using: &generator)))
                sequence += 1
                if actions.contains(where: { if case .close = $0 { true } else { false } }) {
                    #expect(machine.isClosed)
                    break
                }
            }
        }
    }
}
