import HTTP
import PolicyModel
import Storage

/// Routes API requests: authentication, then the handler of the matched route.
///
/// Handlers that need the database run on the writer queue; the bundle and environment reads
/// are served from the in-memory snapshot on the event loop.
final class ControlPlaneResponder: HTTPResponder {
    let writer: PolicyWriter
    let authenticator: TokenAuthenticator
    let logger: Logger
    /// The maximum time a poll may park, in seconds.
    let maxWait: Int
    let metrics: Metrics
    /// Reads the server's open connection count; set once the server exists.
    let openConnections: @Sendable () -> Int
    /// Perimeter's own allowlist and proxies, or nil when every client may reach the API.
    let ownPolicy: InboundDecider?
    let agentStaleAfter: Int64
    let agents: AgentRegistry

    init(writer: PolicyWriter, authenticator: TokenAuthenticator, logger: Logger, maxWait: Int,
         ownPolicy: InboundDecider?, agentStaleAfter: Int64, agents: AgentRegistry, loopCount: Int = 1,
         openConnections: @escaping @Sendable () -> Int) {
        self.metrics = Metrics(loopCount: loopCount)
        self.ownPolicy = ownPolicy
        self.agentStaleAfter = agentStaleAfter
        self.agents = agents
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
        let started = MonotonicInstant.now
        let requestID = RequestID.next()
        let template = route?.template ?? "unmatched"
        return { [metrics, logger] response in
            var response = response
            response.headers.add(name: "X-Request-Id", value: requestID)
            let seconds = Double(MonotonicInstant.now.nanoseconds - started.nanoseconds) / 1e9
            metrics.record(route: template, method: request.method, status: response.status, seconds: seconds,
                           loop: request.loopIndex)
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
        let ownDecision = ownClientDecision(request)
        if route?.isOpenToEveryClient != true, let ownPolicy, ownPolicy.allowlist.isActive {
            // The peer always comes from the socket; should it ever fail to parse, the request is denied.
            guard let ownDecision else {
                throw Problem(status: 403, slug: "forbidden-client", title: "Client not allowed",
                              detail: "the peer address \(request.peer.host) could not be read, so the request is denied")
            }
            if !ownDecision.allowed { throw ownDenial(request, decision: ownDecision) }
        }
        let actor: Actor
        if route == .health {
            actor = Actor.service
        } else {
            let client = ownDecision?.client?.description ?? request.peer.host
            guard let authenticated = authenticator.authenticate(request, client: client, now: writer.clock.now()) else {
                throw Problem.unauthorized
            }
            actor = authenticated
        }
        guard let route else { throw Problem.notFound("no route matches \(request.path)") }
        guard route.allowedMethods.contains(request.method) else {
            throw Problem.methodNotAllowed(request.method, allowed: route.allowedMethods)
        }
        try authorize(actor, for: route, method: request.method)

        switch (route, request.method) {
        case (.health, _):
            respond(.json(.object([("status", .string("ok"))])))
        case (.metrics, _):
            respond(renderMetrics(for: actor))
        case (.environments, _):
            respond(listEnvironments(for: actor))
        case let (.environment(name), "PUT"):
            try createEnvironment(name, request: request, actor: actor, respond: respond)
        case let (.environment(name), "DELETE"):
            try deleteEnvironment(name, actor: actor, respond: respond)
        case let (.environment(name), _):
            respond(try showEnvironment(name))
        case let (.section(environment, section), "PUT"):
            try putSection(section, of: environment, request: request, actor: actor, respond: respond)
        case let (.section(environment, section), _):
            getSection(section, of: environment, respond: respond)
        case let (.policy(environment), "PUT"):
            try putPolicy(of: environment, request: request, actor: actor, respond: respond)
        case let (.policy(environment), _):
            respond(try getPolicy(of: environment))
        case let (.importDotenv(environment), _):
            try importDotenv(into: environment, request: request, actor: actor, respond: respond)
        case let (.rollback(environment), _):
            try rollback(environment, request: request, actor: actor, respond: respond)
        case let (.bundle(environment), _):
            try currentBundle(of: environment, request: request, respond: respond)
        case let (.bundles(environment), _):
            try listBundles(of: environment, request: request, respond: respond)
        case let (.bundleVersion(environment, version), _):
            bundle(of: environment, version: version, request: request, respond: respond)
        case (.signingKeys, _):
            listSigningKeys(respond: respond)
        case (.rotateSigningKey, _):
            try rotateSigningKey(request: request, actor: actor, respond: respond)
        case let (.clientDecision(environment), _):
            respond(try decideClient(in: environment, request: request))
        case let (.egressDecision(environment), _):
            respond(try decideEgress(in: environment, request: request))
        case let (.export(environment, format), _):
            try export(format, of: environment, request: request, actor: actor, respond: respond)
        case let (.agents(environment), _):
            try listAgents(of: environment, respond: respond)
        case let (.agentStatus(environment, agentID), _):
            try reportAgentStatus(environment, agentID: agentID, request: request, actor: actor, respond: respond)
        case let (.secretKeys(environment), "POST"):
            try createSecretKey(in: environment, request: request, actor: actor, respond: respond)
        case let (.secretKeys(environment), _):
            listSecretKeys(of: environment, respond: respond)
        case let (.currentSecretKey(environment), _):
            currentSecretKey(of: environment, respond: respond)
        case let (.rotateSecretKey(environment), _):
            try rotateSecretKey(in: environment, request: request, actor: actor, respond: respond)
        case let (.secretKey(environment, id), _):
            retireSecretKey(id, in: environment, actor: actor, respond: respond)
        case (.tokens, "POST"):
            try createToken(request: request, actor: actor, respond: respond)
        case (.tokens, _):
            listTokens(respond: respond)
        case let (.token(id), _):
            revokeToken(id, actor: actor, respond: respond)
        case (.audit, _):
            try listAudit(request: request, actor: actor, respond: respond)
        }
    }

    /// Checks the token's scope and environments; the problem names what is missing.
    private func authorize(_ actor: Actor, for route: Route, method: String) throws(Problem) {
        if let needed = route.requiredScope(method: method), !actor.has(needed) {
            let held = actor.scopes.map(\.rawValue).sorted().joined(separator: ", ")
            throw Problem(status: 403, slug: "insufficient-scope", title: "Insufficient scope",
                          detail: "\(method) \(route.template) needs the \(needed.rawValue) scope; this token has: \(held)")
        }
        if let environment = route.environment, !actor.reaches(environment) {
            let reachable = (actor.environments ?? []).sorted().joined(separator: ", ")
            throw Problem(status: 403, slug: "environment-not-permitted", title: "Environment not permitted",
                          detail: "this token is limited to the environments \(reachable), not \"\(environment)\"")
        }
        // Admin routes outside any environment (tokens, signing keys) act on all of them, so a limited token
        // could otherwise widen its own reach, for example by creating a token without limits.
        if route.environment == nil, route.requiredScope(method: method) == .admin, let environments = actor.environments {
            let reachable = environments.sorted().joined(separator: ", ")
            throw Problem(status: 403, slug: "environment-not-permitted", title: "Environment not permitted",
                          detail: "\(method) \(route.template) acts on every environment and needs a token without "
                              + "environment limits; this token is limited to the environments \(reachable)")
        }
    }

    /// Perimeter's own decision on the request, or nil when its own allowlist is not configured.
    private func ownClientDecision(_ request: HTTPRequest) -> InboundDecision? {
        guard let ownPolicy, ownPolicy.allowlist.isActive || ownPolicy.resolver.trustedProxies.isBehindProxy else {
            return nil
        }
        guard let peer = try? IPAddress(parsing: request.peer.host) else { return nil }
        return ownPolicy.decide(peer: peer, forwardedFor: request.headers["X-Forwarded-For"], path: request.path)
    }

    /// Makes the 403 for a client that Perimeter's own allowlist denies; nothing of the request is handled.
    private func ownDenial(_ request: HTTPRequest, decision: InboundDecision) -> Problem {
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

    /// Turns an error into a response. This is the one such boundary, and internals never reach the client.
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
