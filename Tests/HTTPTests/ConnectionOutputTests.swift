import Glibc
@testable import HTTP
import Testing

/// Queued output must reach the peer whole and in order, however the socket splits the writes.
@Suite struct ConnectionOutputTests {
    /// Makes a connection on one end of a Unix socket pair, with a small send buffer so that writes stop part way.
    private static func makeConnection() throws -> (connection: Connection, peerDescriptor: Int32) {
        var descriptors: [Int32] = [0, 0]
        try #require(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &descriptors) == 0)
        for descriptor in descriptors {
            try #require(fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK) == 0)
        }
        var size: Int32 = 4096
        setsockopt(descriptors[0], SOL_SOCKET, SO_SNDBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        let peer = SocketAddress(host: "127.0.0.1", port: 1)
        let machine = ConnectionStateMachine(peer: peer, limits: HTTPLimits(), timeouts: HTTPTimeouts(), now: .now)
        let connection = Connection(id: 1, peer: peer, socket: Socket(descriptor: descriptors[0]), machine: machine,
                                    registeredEvents: 0)
        return (connection, descriptors[1])
    }

    /// Reads what is available without blocking.
    private static func readAvailable(_ descriptor: Int32) -> [UInt8] {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            guard count > 0 else { return received }
            received += buffer[..<count]
        }
    }

    @Test func partialWritesKeepOrder() throws {
        let (connection, peerDescriptor) = try Self.makeConnection()
        defer { close(peerDescriptor) }
        var expected: [UInt8] = []
        for index in 0..<40 {
            let buffer = (0..<(index * 397 % 5000 + 1)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ index) }
            connection.enqueue(buffer)
            connection.enqueue([])
            expected += buffer
        }

        var received: [UInt8] = []
        var rounds = 0
        var sawBlock = false
        while true {
            rounds += 1
            try #require(rounds < 10_000, "the output never drained")
            switch connection.flush() {
            case .drained:
                received += Self.readAvailable(peerDescriptor)
                #expect(sawBlock, "the send buffer never filled, so partial writes were not tested")
                #expect(received == expected)
                #expect(!connection.hasOutput)
                return
            case .blocked:
                sawBlock = true
                received += Self.readAvailable(peerDescriptor)
            case .failed(let error):
                Issue.record("flush failed: \(error)")
                return
            }
        }
    }

    @Test func emptyBuffersQueueNothing() throws {
        let (connection, peerDescriptor) = try Self.makeConnection()
        defer { close(peerDescriptor) }

        connection.enqueue([])

        #expect(!connection.hasOutput)
    }

    @Test func closedPeerFailsTheWrite() throws {
        let (connection, peerDescriptor) = try Self.makeConnection()
        close(peerDescriptor)
        connection.enqueue(Array(repeating: 1, count: 10))

        guard case .failed(let error) = connection.flush() else {
            Issue.record("writing to a closed peer did not fail")
            return
        }
        #expect(error.errno == EPIPE)
    }
}
