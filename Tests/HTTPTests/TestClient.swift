import Foundation
import Glibc
@testable import HTTP
import Synchronization

struct TestClientError: Error, CustomStringConvertible {
    let description: String
    /// The errno of the failed call, when one failed.
    var code: Int32?
}

/// A response as the test client reads it off the wire.
struct WireResponse {
    let status: Int
    let headers: HTTPHeaders
    let body: [UInt8]

    var text: String { String(decoding: body, as: UTF8.self) }
}

/// A blocking TCP client for loopback tests; every read gives up after `timeout`.
final class TestClient {
    private var descriptor: Int32
    private var buffer: [UInt8] = []

    init(port: UInt16, host: String = "127.0.0.1", timeout: Duration = .seconds(5)) throws {
        guard let (storage, length) = SocketAddress.makeStorage(host: host, port: port) else {
            throw TestClientError(description: "invalid host \(host)")
        }
        descriptor = socket(Int32(storage.ss_family), Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw TestClientError(description: "socket failed: errno \(errno)") }

        var interval = timeval(tv_sec: Int(timeout.components.seconds), tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &interval, socklen_t(MemoryLayout<timeval>.size))
        var address = storage
        let result = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, length) }
        }
        guard result == 0 else {
            let code = errno
            close()
            throw TestClientError(description: "connect failed: errno \(code)")
        }
    }

    deinit {
        close()
    }

    func close() {
        guard descriptor >= 0 else { return }
        Glibc.close(descriptor)
        descriptor = -1
    }

    func send(_ text: String) throws {
        try send(bytes: Array(text.utf8))
    }

    func send(bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { throw TestClientError(description: "send failed: errno \(errno)") }
            offset += sent
        }
    }

    /// Closes the sending side, as `nc -N` does after its input.
    func shutdownOutput() {
        Glibc.shutdown(descriptor, Int32(SHUT_WR))
    }

    /// Reads one response; a `HEAD` response or a 1xx, 204 or 304 has no body whatever its `Content-Length` is.
    func readResponse(isHeadRequest: Bool = false) throws -> WireResponse {
        let headEnd = try readUntil(Array("\r\n\r\n".utf8))
        let headText = String(decoding: buffer[..<headEnd], as: UTF8.self)
        buffer.removeFirst(headEnd + 4)

        var lines = headText.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ", maxSplits: 2)
        guard statusLine.count >= 2, statusLine[0] == "HTTP/1.1", let status = Int(statusLine[1]) else {
            throw TestClientError(description: "invalid status line in \(headText)")
        }
        var headers = HTTPHeaders()
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { throw TestClientError(description: "invalid field \(line)") }
            headers.add(name: String(line[..<colon]), value: line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }

        let hasBody = !isHeadRequest && status >= 200 && status != 204 && status != 304
        let length = hasBody ? Int(headers.first("Content-Length") ?? "0") ?? 0 : 0
        while buffer.count < length {
            guard try receive() else { throw TestClientError(description: "connection closed inside a body") }
        }
        let body = Array(buffer[..<length])
        buffer.removeFirst(length)
        return WireResponse(status: status, headers: headers, body: body)
    }

    /// Reads once and returns whether the server has closed the connection (end of input or reset); false when bytes
    /// arrive or the read times out.
    func isClosedByServer() -> Bool {
        guard buffer.isEmpty else { return false }
        do {
            return try !receive()
        } catch {
            return (error as? TestClientError)?.code == ECONNRESET
        }
    }

    /// Reads until `marker` is buffered and returns its offset.
    private func readUntil(_ marker: [UInt8]) throws -> Int {
        while true {
            if let range = buffer.firstRange(of: marker) {
                return range.lowerBound
            }
            guard try receive() else { throw TestClientError(description: "connection closed before a full response") }
        }
    }

    /// Appends received bytes to the buffer; false at end of input.
    private func receive() throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        let count = chunk.withUnsafeMutableBytes { Glibc.recv(descriptor, $0.baseAddress, $0.count, 0) }
        if count < 0 {
            let code = errno
            throw TestClientError(description: "recv failed: errno \(code)", code: code)
        }
        buffer.append(contentsOf: chunk[..<count])
        return count > 0
    }
}

/// A responder built from a closure.
struct ClosureResponder: HTTPResponder {
    let body: @Sendable (HTTPRequest, @escaping @Sendable (HTTPResponse) -> Void) -> Void

    init(_ body: @escaping @Sendable (HTTPRequest, @escaping @Sendable (HTTPResponse) -> Void) -> Void) {
        self.body = body
    }

    func handle(_ request: HTTPRequest, respond: @escaping @Sendable (HTTPResponse) -> Void) {
        body(request, respond)
    }
}

/// Responds at once with `<method> <target>` followed by the body, if any.
let echoResponder = ClosureResponder { request, respond in
    var body = Array("\(request.method) \(request.target)".utf8)
    if !request.body.isEmpty {
        body += Array(" ".utf8) + request.body
    }
    respond(HTTPResponse(status: 200, headers: ["Content-Type": "text/plain"], body: body))
}

/// Requests whose responses the test sends later, from its own thread.
final class ParkedRequests: Sendable {
    typealias Respond = @Sendable (HTTPResponse) -> Void

    private let entries = Mutex<[(request: HTTPRequest, respond: Respond)]>([])

    var count: Int { entries.withLock { $0.count } }

    var responder: ClosureResponder {
        ClosureResponder { request, respond in
            self.entries.withLock { $0.append((request, respond)) }
        }
    }

    func takeAll() -> [(request: HTTPRequest, respond: Respond)] {
        entries.withLock { entries in
            defer { entries = [] }
            return entries
        }
    }
}

/// Polls `condition` every 10 ms until it is true or `timeout` passes, and returns its last value.
func waitUntil(timeout: Duration = .seconds(5), _ condition: () -> Bool) -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if condition() { return true }
        usleep(10_000)
    }
    return condition()
}

/// Starts a server on 127.0.0.1 with an ephemeral port and two loops, runs `body`, then shuts the server down.
func withServer(
    _ responder: some HTTPResponder,
    configure: (inout HTTPServerConfiguration) -> Void = { _ in },
    _ body: (HTTPServer) throws -> Void
) throws {
    var configuration = HTTPServerConfiguration(host: "127.0.0.1", port: 0, loopCount: 2)
    configure(&configuration)
    let server = HTTPServer(configuration: configuration, responder: responder)
    try server.start()
    defer { server.shutdown(gracePeriod: .seconds(1)) }
    try body(server)
}
