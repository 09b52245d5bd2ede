import Synchronization

/// State shared by every loop of one server: configuration, responder, logger, the loops and the connection count.
final class ServerContext: Sendable {
    let configuration: HTTPServerConfiguration
    let responder: any HTTPResponder
    let log: ServerLogger
    let loops: [EventLoop]
    private let connectionCount = Atomic<Int>(0)

    init(configuration: HTTPServerConfiguration, responder: any HTTPResponder, loops: [EventLoop]) {
        self.configuration = configuration
        self.responder = responder
        self.log = ServerLogger(handler: configuration.logHandler)
        self.loops = loops
    }

    var openConnectionCount: Int { connectionCount.load(ordering: .relaxed) }

    /// Counts a new connection unless `maxConnections` are open; called only by the acceptor.
    func reserveConnectionSlot() -> Bool {
        // Only the acceptor thread adds, so a load followed by an add cannot overshoot the limit.
        guard connectionCount.load(ordering: .relaxed) < configuration.maxConnections else {
            return false
        }
        connectionCount.wrappingAdd(1, ordering: .relaxed)
        return true
    }

    /// Uncounts a closed connection; called by any loop.
    func releaseConnectionSlot() {
        connectionCount.wrappingSubtract(1, ordering: .relaxed)
    }
}
