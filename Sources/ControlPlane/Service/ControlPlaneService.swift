import Dispatch
import Foundation
import HTTP
import PolicyModel
import Signing
import Storage

/// Perimeter's control plane: the database, the single writer, the snapshot and the HTTP server, wired together.
public final class ControlPlaneService: @unchecked Sendable {
    // @unchecked: every stored property is immutable; the timer is only resumed and cancelled, which
    // Dispatch allows from any thread.
    public let configuration: ServiceConfiguration
    private let server: HTTPServer
    private let writer: PolicyWriter
    private let maintenanceTimer: DispatchSourceTimer
    private let logger: Logger
    /// The admin token generated on first start, shown once by the caller; nil on later starts.
    public let generatedAdminToken: String?

    /// Opens and migrates the database, opens or creates the signing key, makes sure the default
    /// environment exists, and loads the snapshot. Call `start()` to serve.
    public init(configuration: ServiceConfiguration, clock: Clock = .system,
                logger: Logger = Logger(label: "perimeterd")) throws {
        self.configuration = configuration
        self.logger = logger
        guard configuration.bundleTTL >= 10 else { throw StartupError("PERIMETER_BUNDLE_TTL must be at least 10 seconds") }

        let masterKey = try MasterKeyLoader.load(configuration.masterKey, databasePath: configuration.databasePath,
                                                 logger: logger)
        let connection: SQLiteConnection
        do {
            connection = try SQLiteConnection(path: configuration.databasePath)
            let applied = try Migrator.migrate(connection)
            for migration in applied {
                logger.info("applied migration", metadata: ["migration.file": migration.fileName])
            }
        } catch let error as MigrationError {
            throw StartupError("cannot start on database \(configuration.databasePath): \(error)")
        } catch {
            throw StartupError("cannot open database \(configuration.databasePath) (PERIMETER_DB): \(error)")
        }
        let store = PolicyStore(connection: connection)

        let (signer, token, credentials) = try connection.transaction {
            let signer = try Bootstrap.signer(store: store, masterKey: masterKey, clock: clock, logger: logger)
            let token = try Bootstrap.adminToken(store: store, configured: configuration.adminToken, clock: clock)
            return (signer, token, try Bootstrap.credentials(store: store))
        }
        generatedAdminToken = token

        let writer = PolicyWriter(store: store, signer: signer, masterKey: masterKey,
                                  signingKeyOverlap: configuration.signingKeyOverlap,
                                  snapshot: BundleSnapshot(loopCount: configuration.loopCount),
                                  clock: clock, bundleTTL: configuration.bundleTTL, logger: logger)
        let agents = AgentRegistry()
        try writer.performAndWait { writer, store in
            _ = try writer.createEnvironment(named: EnvironmentName.defaultName, by: Actor.service)
            try writer.loadSnapshot()
            try writer.reissueAgingBundles()
            agents.load(try store.agents())
        }
        self.writer = writer

        let authenticator = TokenAuthenticator(loopCount: configuration.loopCount)
        authenticator.replaceCredentials(credentials)
        let connections = ConnectionCounter()
        let responder = ControlPlaneResponder(writer: writer, authenticator: authenticator, logger: logger,
                                              maxWait: configuration.maxWait,
                                              ownPolicy: InboundDecider(
                                                  allowlist: IPAllowlist(blocks: configuration.ownAllowlist),
                                                  resolver: ClientAddressResolver(configuration.ownTrustedProxies)),
                                              agentStaleAfter: configuration.agentStaleAfter, agents: agents,
                                              loopCount: configuration.loopCount, openConnections: { connections.server?.openConnectionCount ?? 0 })
        server = HTTPServer(configuration: Self.serverConfiguration(configuration, logger: logger), responder: responder)
        connections.server = server

        // Run at least once a minute and never more often than every 250 ms. Within that, run often enough
        // that a bundle is re-issued soon after half its lifetime and a rotation step follows its overlap.
        let milliseconds = min(60_000, max(250, min(configuration.bundleTTL * 1_000 / 8,
                                                    configuration.signingKeyOverlap * 1_000 / 4)))
        maintenanceTimer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "perimeter.maintenance"))
        maintenanceTimer.schedule(deadline: .now() + .milliseconds(Int(milliseconds)),
                                  repeating: .milliseconds(Int(milliseconds)))
        maintenanceTimer.setEventHandler { [writer, logger, authenticator] in
            writer.perform({ writer, store in
                try writer.reissueAgingBundles()
                try writer.advanceSigningKeyRotation()
                try writer.sweepSecretKeys()
                for (id, time) in authenticator.takeLastUsed() { try store.recordTokenUse(id: id, at: time) }
            }, completion: { result in
                if case let .failure(error) = result {
                    logger.error("periodic maintenance failed; will retry", metadata: ["error": "\(error)"])
                }
            })
        }
    }

    /// Binds the listening socket and starts serving.
    public func start() throws {
        do {
            try server.start()
        } catch {
            throw StartupError("cannot listen on \(configuration.listenHost):\(configuration.listenPort) "
                + "(PERIMETER_LISTEN): \(error)")
        }
        maintenanceTimer.resume()
        logger.info("perimeterd listening", metadata: [
            "listen.address": configuration.listenHost, "listen.port": "\(server.boundPort)",
            "database": configuration.databasePath,
        ])
    }

    public var boundPort: UInt16 { server.boundPort }

    /// Stops accepting, ends parked polls with 304, lets requests in flight finish within
    /// `gracePeriod`, and waits for the writer.
    public func shutdown(gracePeriod: Duration = .seconds(5)) {
        maintenanceTimer.cancel()
        writer.snapshot.releaseAllParked()
        server.shutdown(gracePeriod: gracePeriod)
        writer.performAndWaitIgnoringErrors()
        logger.info("perimeterd stopped")
    }
}

extension ControlPlaneService {
    static func serverConfiguration(_ configuration: ServiceConfiguration, logger: Logger) -> HTTPServerConfiguration {
        var limits = HTTPLimits()
        limits.maxBodyBytes = configuration.maxBodyBytes
        let timeouts = HTTPTimeouts(head: .seconds(configuration.headTimeout), body: .seconds(configuration.bodyTimeout),
                                    idle: .seconds(configuration.idleTimeout), write: .seconds(configuration.writeTimeout))
        let httpLogger = Logger(label: "http", minimumLevel: logger.minimumLevel)
        return HTTPServerConfiguration(
            host: configuration.listenHost, port: configuration.listenPort, loopCount: configuration.loopCount,
            limits: limits, timeouts: timeouts, maxConnections: configuration.maxConnections,
            logHandler: { record in
                let level: Logger.Level = switch record.level {
                case .debug: .debug
                case .info: .info
                case .warning: .warning
                case .error: .error
                }
                httpLogger.log(level, record.message, metadata: record.metadata)
            })
    }
}

/// Lets the responder read the server's connection count although the server is made after it.
private final class ConnectionCounter: @unchecked Sendable {
    // @unchecked: `server` is set once during start-up, before any request can read it.
    var server: HTTPServer?
}

extension PolicyWriter {
    /// Waits until every change queued before this call has finished.
    func performAndWaitIgnoringErrors() {
        _ = try? performAndWait { _, _ in () }
    }
}
