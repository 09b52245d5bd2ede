import HTTP
import PolicyModel
import Storage

/// Routes API requests: authentication, then the handler of the matched route.
///
/// Handlers that need the database run on the writer queue; the bundle and environment reads
/// answer from the in-memory snapshot on the event loop.
final class ControlPlaneResponder: HTTPResponder {
    let writer: PolicyWriter
    let authenticator: TokenAuthenticator
    let logger: Logger
    /// The longest a poll may park, in seconds.
    let maxWait: Int
    let metrics = Metrics()
    /// Reads the server's open connection count; set once the server exists.
    let openConnections: @Sendable () -> Int
    /// Perimeter's own allowlist and proxies, or nil when every client may reach the API.
    let ownPolicy: InboundDecider?

    init(writer: PolicyWriter, authenticator: TokenAuthenticator, logger: Logger, maxWait: Int,
         ownPolicy: InboundDecider?, openConnections: @escaping @Sendable () -> Int) {
        self.ownPolicy = ownPolicy
        self.writer = writer
        self.authenticator = authenticator
        self.logger = logger
        self.maxWait = maxWait
        self.openConnections = openConnections
    }

    var snapshot: BundleSnapshot { writer.snapshot }

    func handle(_ request: HTTPRequest, respond: @escaping @Sendable (HTTPResponse) -> Void) {
        let route = Route(path: request.path)
        let respond = instrumented(request, route: route, respond: respond)
        do {
            try dispatch(request, to: route, respond: respond)
        } catch let problem as Problem {
            respond(problem.response)
        } catch {
            respond(response(for: error))
        }
    }

    /// Wraps `respond` so each response carries a request id and is counted, timed and logged once.
    private func instrumented(_ request: HTTPRequest, route: Route?,
                              respond: @escaping @Sendable (HTTPResponse) -> Void) -> @Sendable (HTTPResponse) -> Void {
        let started = ContinuousClock.now
        let requestID = RequestID.next()
        let template = route?.template ?? "unmatched"
        return { [metrics, logger] response in
            var response = response
            response.headers.add(name: "X-Request-Id", value: requestID)
            let elapsed = ContinuousClock.now - started
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            metrics.record(route: template, method: request.method, status: response.status, seconds: seconds)
            logger.debug("request", metadata: [
                "request.id": requestID, "http.method": request.method, "http.route": template,
                "http.status": String(response.status), "duration_ms": String(format3(seconds * 1000)),
                "connection.peer": request.peer.host,
            ])
            respond(response)
        }
    }

    private func dispatch(_ request: HTTPRequest, to route: Route?,
                          respond: @escaping @Sendable (HTTPResponse) -> Void) throws {
        if let denial = ownDenial(request, route: route) { throw denial }
        var actor: Actor?
        if route != .health {
            actor = authenticator.authenticate(request)
            guard actor != nil else { throw Problem.unauthorized }
        }
        guard let route else { throw Problem.notFound("no route matches \(request.path)") }
        guard route.allowedMethods.contains(request.method) else {
            throw Problem.methodNotAllowed(request.method, allowed: route.allowedMethods)
        }
        let actorOrService = actor ?? .service

        switch (route, request.method) {
        case (.health, _):
            respond(.json(.object([("status", .string("ok"))])))
        case (.metrics, _):
            let text = metrics.render(openConnections: openConnections(), parkedPolls: snapshot.parkedPollCount,
                                      bundles: snapshot.all())
            respond(HTTPResponse(status: 200, headers: HTTPHeaders([("Content-Type", "text/plain; version=0.0.4")]),
                                 body: Array(text.utf8)))
        case (.environments, _):
            respond(listEnvironments())
        case let (.environment(name), "PUT"):
            try createEnvironment(name, request: request, actor: actorOrService, respond: respond)
        case let (.environment(name), "DELETE"):
            try deleteEnvironment(name, actor: actorOrService, respond: respond)
        case let (.environment(name), _):
            respond(try showEnvironment(name))
        case let (.section(environment, section), "PUT"):
            try putSection(section, of: environment, request: request, actor: actorOrService, respond: respond)
        case let (.section(environment, section), _):
            getSection(section, of: environment, respond: respond)
        case let (.importDotenv(environment), _):
            try importDotenv(into: environment, request: request, actor: actorOrService, respond: respond)
        case let (.bundle(environment), _):
            try currentBundle(of: environment, request: request, respond: respond)
        case let (.bundleVersion(environment, version), _):
            bundle(of: environment, version: version, request: request, respond: respond)
        case (.signingKeys, _):
            listSigningKeys(respond: respond)
        case let (.clientDecision(environment), _):
            respond(try decideClient(in: environment, request: request))
        case let (.egressDecision(environment), _):
            respond(try decideEgress(in: environment, request: request))
        case let (.export(environment, format), _):
            respond(try export(format, of: environment))
        }
    }

    /// Applies Perimeter's own allowlist before anything else, so a denied request changes nothing.
    private func ownDenial(_ request: HTTPRequest, route: Route?) -> Problem? {
        guard let ownPolicy, ownPolicy.allowlist.isActive, route?.isOpenToEveryClient != true else { return nil }
        guard let peer = try? IPAddress(parsing: request.peer.host) else {
            return Problem(status: 403, slug: "forbidden-client", title: "Client not allowed",
                           detail: "the peer address \(request.peer.host) could not be read, so the request is denied")
        }
        let decision = ownPolicy.decide(peer: peer, forwardedFor: request.headers["X-Forwarded-For"], path: request.path)
        guard !decision.allowed else { return nil }
        logger.info("request denied by Perimeter's own allowlist", metadata: [
            "connection.peer": request.peer.host, "client": decision.client.map(\.description) ?? "unknown",
        ])
        return Problem(status: 403, slug: "forbidden-client", title: "Client not allowed",
                       detail: "\(decision.reason). Perimeter's own API is limited by PERIMETER_ALLOWED_IP_BLOCKS; the "
                           + "client address is found with PERIMETER_BEHIND_PROXY, PERIMETER_TRUSTED_PROXIES and "
                           + "PERIMETER_TRUST_ALL_PROXIES")
    }

    /// Runs `body` on the writer queue and responds with its result or its error.
    func onWriter(_ respond: @escaping @Sendable (HTTPResponse) -> Void,
                  _ body: @escaping @Sendable (PolicyWriter, PolicyStore) throws -> HTTPResponse) {
        writer.perform(body) { [self] result in
            switch result {
            case let .success(response): respond(response)
            case let .failure(error): respond(response(for: error))
            }
        }
    }

    /// The one boundary where errors become responses; internals never reach the client.
    func response(for error: any Error) -> HTTPResponse {
        switch error {
        case let problem as Problem:
            return problem.response
        case let failure as ValidationFailure:
            return Problem.validation(failure).response
        default:
            logger.error("request failed", metadata: ["error": "\(error)"])
            return Problem.internalError.response
        }
    }
}
