import Foundation
import Glibc

/// Builds requests for perimeterd at 127.0.0.1:`port` and sends the one-off ones (metrics, the current bundle).
struct ControlPlaneConnection {
    let port: UInt16
    let token: String
    /// Time allowed for connecting, sending and receiving one request.
    let timeoutMilliseconds: Int32 = 10_000

    struct RequestFailed: Error, CustomStringConvertible {
        let description: String
    }

    /// Encodes one HTTP/1.1 request with the bearer token and, when given, a JSON body.
    func makeRequest(_ method: String, _ path: String, headers: [(String, String)] = [], jsonBody: [UInt8]? = nil)
        -> [UInt8]
    {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nAuthorization: Bearer \(token)\r\n"
        for (name, value) in headers {
            head += "\(name): \(value)\r\n"
        }
        if let jsonBody {
            head += "Content-Type: application/json\r\nContent-Length: \(jsonBody.count)\r\n"
        }
        head += "\r\n"
        return Array(head.utf8) + (jsonBody ?? [])
    }

    /// Sends `request` on a new connection and waits for its response.
    func exchange(_ request: [UInt8]) throws -> Response {
        let socket = try LoopbackSocket.connect(port: port, timeoutMilliseconds: timeoutMilliseconds)
        defer { socket.close() }
        try socket.writeAll(request, timeoutMilliseconds: timeoutMilliseconds)

        var reader = ResponseReader()
        var scratch = [UInt8](repeating: 0, count: 65_536)
        let deadline = ContinuousClock.now + .milliseconds(timeoutMilliseconds)
        while true {
            if let response = try reader.response() { return response }
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else {
                throw RequestFailed(description: "no response within \(timeoutMilliseconds) ms")
            }

            var entry = pollfd(fd: socket.descriptor, events: Int16(POLLIN), revents: 0)
            let ready = poll(&entry, 1, Int32(remaining.milliseconds.rounded(.up)))
            if ready < 0, errno != EINTR { throw SocketError("poll") }
            guard ready > 0 else { continue }
            guard try socket.readAvailable(into: &reader, scratch: &scratch) else {
                if let response = try reader.response() { return response }
                throw RequestFailed(description: "the server closed the connection before its response was complete")
            }
        }
    }

    /// Fetches `GET /metrics` and returns the value of a gauge without labels, such as `perimeter_parked_polls`.
    func gauge(_ name: String) throws -> Int {
        let response = try exchange(makeRequest("GET", "/metrics"))
        guard response.status == 200 else {
            throw RequestFailed(description: "GET /metrics returned \(response.status)")
        }
        let text = String(decoding: response.body, as: UTF8.self)
        for line in text.split(separator: "\n") where line.hasPrefix(name + " ") {
            if let value = Double(line.dropFirst(name.count + 1)) { return Int(value) }
        }
        throw RequestFailed(description: "GET /metrics has no gauge \(name)")
    }

    /// Fetches the current bundle of the default environment and returns its ETag, version and envelope size.
    func currentBundle() throws -> (etag: String, version: Int, byteCount: Int) {
        let response = try exchange(makeRequest("GET", "/v1/environments/default/bundle"))
        guard response.status == 200, let etag = response.header("ETag"),
              let version = response.header("Perimeter-Bundle-Version").flatMap({ Int($0) }) else {
            throw RequestFailed(description: "GET bundle returned \(response.status) without an ETag and version")
        }
        return (etag, version, response.body.count)
    }
}

/// Reads the resident memory of process `pid` in KiB from `VmRSS` in /proc/PID/status.
func residentKibibytes(of pid: Int32) throws -> Int {
    let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
    for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
        let fields = line.split(separator: " ", omittingEmptySubsequences: true)
        if fields.count >= 2, let kibibytes = Int(fields[1]) { return kibibytes }
    }
    throw ControlPlaneConnection.RequestFailed(description: "/proc/\(pid)/status has no VmRSS line")
}

/// Reads the user plus system CPU time of process `pid` from fields 14 and 15 of /proc/PID/stat.
func cpuTime(of pid: Int32) throws -> Duration {
    let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
    // The command name in parentheses may contain spaces, so the fields are counted after its closing parenthesis.
    guard let close = stat.lastIndex(of: ")") else {
        throw ControlPlaneConnection.RequestFailed(description: "/proc/\(pid)/stat is malformed")
    }
    let fields = stat[stat.index(after: close)...].split(separator: " ")
    guard fields.count > 12, let user = Int(fields[11]), let system = Int(fields[12]) else {
        throw ControlPlaneConnection.RequestFailed(description: "/proc/\(pid)/stat is malformed")
    }
    let ticksPerSecond = sysconf(Int32(_SC_CLK_TCK))
    return .milliseconds((user + system) * 1_000 / ticksPerSecond)
}

/// Returns the user plus system CPU time of this process, from getrusage(2).
func ownCPUTime() -> Duration {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    let microseconds = (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1_000_000
        + usage.ru_utime.tv_usec + usage.ru_stime.tv_usec
    return .microseconds(microseconds)
}

extension Duration {
    var milliseconds: Double {
        Double(components.seconds) * 1_000 + Double(components.attoseconds) / 1e15
    }
}
