import Foundation
import Glibc

/// Parks long polls on perimeterd, publishes one change and measures how fast every poller receives it.
///
/// All connections are served from one thread with `poll(2)`, so a response is timestamped within one pass
/// over the ready sockets of its arrival, without a scheduler or interpreter in between.
@main
enum FanoutClient {
    static let bundlePath = "/v1/environments/default/bundle"

    static func main() {
        // A write to a connection the server has closed must fail with EPIPE, not end the process.
        signal(SIGPIPE, SIG_IGN)
        do {
            let settings = try Settings.parse(Array(CommandLine.arguments.dropFirst()),
                                              environment: ProcessInfo.processInfo.environment)
            exit(try run(settings))
        } catch let error as Settings.InvalidArgument {
            printError("fanout-client: \(error)\n\n\(Settings.usage)")
            exit(2)
        } catch {
            printError("fanout-client: \(error)")
            exit(1)
        }
    }

    /// Runs the whole measurement and prints it. Returns the exit status: 0 when every poller received the new version.
    static func run(_ settings: Settings) throws -> Int32 {
        let connection = ControlPlaneConnection(port: settings.port, token: settings.token)
        let changeBody = Array(try Data(contentsOf: URL(fileURLWithPath: settings.changeBodyPath)))

        let before = try connection.currentBundle()
        let startKibibytes = try residentKibibytes(of: settings.serverPID)

        let parkStart = ContinuousClock.now
        var pollers = try parkPolls(settings, connection: connection, heldETag: before.etag)
        let parkTime = ContinuousClock.now - parkStart
        let parkedPolls = try connection.gauge("perimeter_parked_polls")
        let openConnections = try connection.gauge("perimeter_http_open_connections")
        let parkedKibibytes = try residentKibibytes(of: settings.serverPID)

        // A poller that already received a response was not parked when the change went out, so it counts as an error.
        var scratch = [UInt8](repeating: 0, count: 256 * 1024)
        var entries = pollers.map { pollfd(fd: $0.socket.descriptor, events: Int16(POLLIN), revents: 0) }
        if poll(&entries, nfds_t(entries.count), 0) > 0 {
            for index in entries.indices where entries[index].revents != 0 {
                pollers[index].readAvailable(scratch: &scratch)
                pollers[index].endedBeforeChange = true
            }
        }

        let change = try publishChange(changeBody, settings: settings, connection: connection, pollers: &pollers)
        let after = try connection.currentBundle()
        for index in pollers.indices {
            pollers[index].close()
        }

        let report = FanoutReport(
            pollCount: settings.pollCount, parkedPolls: parkedPolls, openConnections: openConnections,
            parkTime: parkTime, startKibibytes: startKibibytes, parkedKibibytes: parkedKibibytes,
            bundleBefore: before, bundleAfter: after, change: change, pollers: pollers,
            notifyTimeoutSeconds: settings.notifyTimeoutSeconds)
        report.print()
        return report.isComplete ? 0 : 1
    }

    static func printError(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }

    // MARK: - Parking

    /// Opens the long polls in batches, and after each batch waits until the server reports them all parked,
    /// so that the listen backlog never contains more than one batch.
    static func parkPolls(_ settings: Settings, connection: ControlPlaneConnection, heldETag: String)
        throws -> [Poller]
    {
        let headers = [("If-None-Match", heldETag), ("Prefer", "wait=\(settings.waitSeconds)")]
        let request = connection.makeRequest("GET", bundlePath, headers: headers)
        var pollers: [Poller] = []
        pollers.reserveCapacity(settings.pollCount)

        while pollers.count < settings.pollCount {
            let batchStart = pollers.count
            let batchCount = min(settings.batchSize, settings.pollCount - batchStart)
            var connecting: [pollfd] = []
            for _ in 0..<batchCount {
                let (socket, isConnected) = try LoopbackSocket.startConnecting(port: settings.port)
                pollers.append(Poller(socket: socket))
                if !isConnected { connecting.append(pollfd(fd: socket.descriptor, events: Int16(POLLOUT), revents: 0)) }
            }
            try awaitConnections(&connecting, timeoutMilliseconds: connection.timeoutMilliseconds)

            for index in batchStart..<pollers.count {
                try pollers[index].socket.writeAll(request, timeoutMilliseconds: connection.timeoutMilliseconds)
            }
            try awaitParkedPolls(pollers.count, connection: connection)
        }
        return pollers
    }

    /// Waits until every socket in `connecting` has finished its handshake, and throws the first failure.
    static func awaitConnections(_ connecting: inout [pollfd], timeoutMilliseconds: Int32) throws {
        let deadline = ContinuousClock.now + .milliseconds(timeoutMilliseconds)
        while !connecting.isEmpty {
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else {
                throw SocketError("connect (\(connecting.count) still connecting)", code: ETIMEDOUT)
            }
            let ready = poll(&connecting, nfds_t(connecting.count), Int32(remaining.milliseconds.rounded(.up)))
            if ready < 0, errno != EINTR { throw SocketError("poll") }
            guard ready > 0 else { continue }

            for entry in connecting where entry.revents != 0 {
                let code = LoopbackSocket(descriptor: entry.fd).pendingError()
                guard code == 0 else { throw SocketError("connect", code: code) }
            }
            connecting.removeAll { $0.revents != 0 }
        }
    }

    /// Polls `perimeter_parked_polls` until it reaches `count`, for at most 30 seconds.
    static func awaitParkedPolls(_ count: Int, connection: ControlPlaneConnection) throws {
        let deadline = ContinuousClock.now + .seconds(30)
        var parked = 0
        while ContinuousClock.now < deadline {
            parked = try connection.gauge("perimeter_parked_polls")
            if parked >= count { return }
            usleep(20_000)
        }
        throw ControlPlaneConnection.RequestFailed(description:
            "perimeter_parked_polls is \(parked) after 30 seconds, but \(count) polls were sent; "
                + "the server may have answered or closed some of them (see its log)")
    }

    // MARK: - The change

    /// The change's request and response times and its response.
    struct Change {
        /// CPU time that perimeterd and this client used from sending the change until the loop ended.
        let serverCPUTime: Duration
        let clientCPUTime: Duration
        let sentAt: ContinuousClock.Instant
        let respondedAt: ContinuousClock.Instant
        let status: Int
        let body: [UInt8]
    }

    /// PUTs the allowlist and reads the change's response and every poller's response in one `poll(2)` loop,
    /// until all have arrived or the notify timeout has passed.
    static func publishChange(_ body: [UInt8], settings: Settings, connection: ControlPlaneConnection,
                              pollers: inout [Poller]) throws -> Change
    {
        let request = connection.makeRequest("PUT", "/v1/environments/default/ip-allowlist", jsonBody: body)
        let changeSocket = try LoopbackSocket.connect(port: settings.port,
                                                      timeoutMilliseconds: connection.timeoutMilliseconds)
        defer { changeSocket.close() }
        var changeReader = ResponseReader()
        var changeResponse: (Response, ContinuousClock.Instant)?
        var scratch = [UInt8](repeating: 0, count: 256 * 1024)

        // Index -1 in `watched` stands for the change's own connection.
        var watched = pollers.indices.filter { pollers[$0].isWaiting } + [-1]
        var entries = watched.map { index in
            pollfd(fd: index < 0 ? changeSocket.descriptor : pollers[index].socket.descriptor,
                   events: Int16(POLLIN), revents: 0)
        }

        let serverCPUBefore = try cpuTime(of: settings.serverPID)
        let clientCPUBefore = ownCPUTime()
        let sentAt = ContinuousClock.now
        try changeSocket.writeAll(request, timeoutMilliseconds: connection.timeoutMilliseconds)
        let deadline = sentAt + .seconds(settings.notifyTimeoutSeconds)

        while !watched.isEmpty {
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else { break }
            let ready = poll(&entries, nfds_t(entries.count), Int32(remaining.milliseconds.rounded(.up)))
            if ready < 0, errno != EINTR { throw SocketError("poll") }
            guard ready > 0 else { continue }

            var stillWatched: [Int] = []
            var stillEntries: [pollfd] = []
            for position in entries.indices {
                let index = watched[position]
                var isDone = false
                if entries[position].revents != 0 {
                    if index < 0 {
                        let isOpen = try changeSocket.readAvailable(into: &changeReader, scratch: &scratch)
                        if let response = try changeReader.response() {
                            changeResponse = (response, ContinuousClock.now)
                            isDone = true
                        } else if !isOpen {
                            throw ControlPlaneConnection.RequestFailed(
                                description: "the server closed the change's connection without a response")
                        }
                    } else {
                        pollers[index].readAvailable(scratch: &scratch)
                        isDone = !pollers[index].isWaiting
                    }
                }
                if !isDone {
                    stillWatched.append(index)
                    stillEntries.append(pollfd(fd: entries[position].fd, events: Int16(POLLIN), revents: 0))
                }
            }
            watched = stillWatched
            entries = stillEntries
        }

        let serverCPUTime = try cpuTime(of: settings.serverPID) - serverCPUBefore
        let clientCPUTime = ownCPUTime() - clientCPUBefore

        guard let (response, respondedAt) = changeResponse else {
            throw ControlPlaneConnection.RequestFailed(
                description: "no response to the PUT within \(settings.notifyTimeoutSeconds) seconds")
        }
        return Change(serverCPUTime: serverCPUTime, clientCPUTime: clientCPUTime, sentAt: sentAt,
                      respondedAt: respondedAt, status: response.status, body: response.body)
    }
}
