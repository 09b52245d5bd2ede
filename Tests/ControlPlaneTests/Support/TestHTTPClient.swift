import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A response as the test client read it off the wire.
struct WireResponse {
    var status: Int
    var headers: [(String, String)]
    var body: [UInt8]

    func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }

    var text: String { String(decoding: body, as: UTF8.self) }

    func json() throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else {
            throw TestFailure("response body is not a JSON object: \(text)")
        }
        return object
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A deliberately small blocking HTTP/1.1 client over a loopback socket, so tests control every byte sent.
struct TestHTTPClient {
    let port: UInt16
    var token: String?
    /// The loopback address to send from; all of 127.0.0.0/8 is local on Linux.
    var sourceAddress: String?

    func request(_ method: String, _ path: String, body: [UInt8] = [], contentType: String? = "application/json",
                 headers: [(String, String)] = [], authorized: Bool = true) throws -> WireResponse {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        if authorized, let token { head += "Authorization: Bearer \(token)\r\n" }
        if !body.isEmpty || method == "PUT" || method == "POST" {
            if let contentType { head += "Content-Type: \(contentType)\r\n" }
            head += "Content-Length: \(body.count)\r\n"
        }
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        head += "\r\n"
        return try exchange(Array(head.utf8) + body, expectBody: method != "HEAD")
    }

    func request(_ method: String, _ path: String, json: String, headers: [(String, String)] = []) throws -> WireResponse {
        try request(method, path, body: Array(json.utf8), headers: headers)
    }

    /// Sends raw bytes and reads one response; the server is expected to close or keep the connection.
    func exchange(_ bytes: [UInt8], expectBody: Bool = true) throws -> WireResponse {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw TestFailure("socket failed: errno \(errno)") }
        defer { close(descriptor) }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))

        if let sourceAddress {
            var source = sockaddr_in()
            source.sin_family = sa_family_t(AF_INET)
            source.sin_addr.s_addr = inet_addr(sourceAddress)
            let bound = withUnsafePointer(to: &source) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            guard bound == 0 else { throw TestFailure("bind to \(sourceAddress) failed: errno \(errno)") }
        }

        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw TestFailure("connect to 127.0.0.1:\(port) failed: errno \(errno)") }

        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { throw TestFailure("send failed: errno \(errno)") }
            offset += sent
        }

        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            if let response = try TestHTTPClient.parse(received, expectBody: expectBody) { return response }
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count <= 0 {
                if let response = try TestHTTPClient.parse(received, expectBody: expectBody, atEnd: true) { return response }
                throw TestFailure("connection ended before a whole response; got \(received.count) bytes")
            }
            received += buffer[0..<count]
        }
    }

    /// Parses one response when all of it has arrived; nil while more bytes are needed.
    static func parse(_ bytes: [UInt8], expectBody: Bool, atEnd: Bool = false) throws -> WireResponse? {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let headEnd = bytes.indices.first(where: { bytes[$0...].starts(with: separator) }) else { return nil }
        let head = String(decoding: bytes[..<headEnd], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { throw TestFailure("bad status line: \(head)") }
        let headers = lines.map { line -> (String, String) in
            let parts = line.split(separator: ":", maxSplits: 1)
            return (String(parts[0]), parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : "")
        }
        let bodyStart = headEnd + 4
        let length = headers.first { $0.0.lowercased() == "content-length" }.flatMap { Int($0.1) }
        if !expectBody || status == 304 || status == 204 || (100..<200).contains(status) {
            return WireResponse(status: status, headers: headers, body: [])
        }
        if let length {
            guard bytes.count >= bodyStart + length else { return nil }
            return WireResponse(status: status, headers: headers, body: Array(bytes[bodyStart..<bodyStart + length]))
        }
        return atEnd ? WireResponse(status: status, headers: headers, body: Array(bytes[bodyStart...])) : nil
    }
}
