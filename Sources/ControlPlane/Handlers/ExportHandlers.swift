import HTTP
import PolicyModel

extension ControlPlaneResponder {
    /// Renders the current policy for nginx, a PostHog environment file, or Smokescreen.
    ///
    /// The dotenv export adds `SECRET_KEY` and `SECRET_KEY_FALLBACKS` only with `?secrets=true`,
    /// which needs the `secrets` scope.
    func export(_ format: Route.Export, of environment: String, request: HTTPRequest, actor: Actor,
                respond: @escaping @Sendable (HTTPResponse) -> Void) throws {
        guard let bundle = snapshot.current(environment) else { throw Problem.environmentNotFound(environment) }
        let withSecrets = try QueryParameters(request.query).boolean("secrets") ?? false
        if withSecrets {
            guard format == .dotenv else {
                throw Problem(status: 400, slug: "malformed-query", title: "Malformed query",
                              detail: "secrets=true applies to the dotenv export only")
            }
            guard actor.has(.secrets) else {
                throw Problem(status: 403, slug: "insufficient-scope", title: "Insufficient scope",
                              detail: "secrets=true needs the secrets scope")
            }
        }
        // Secret keys rotate without a new version, so the export with secrets gets no entity tag.
        let headers = [
            ("Perimeter-Bundle-Version", String(bundle.version)),
            ("Cache-Control", withSecrets ? "no-store" : "no-cache"),
        ] + (withSecrets ? [] : [("ETag", "\"\(bundle.version)-\(format.rawValue)\"")])
        switch format {
        case .nginx:
            respond(.text(NginxExport.render(bundle), contentType: "text/plain; charset=utf-8", headers: headers))
        case .smokescreen:
            respond(.text(SmokescreenExport.acl(bundle), contentType: "application/yaml", headers: headers))
        case .smokescreenConfig:
            respond(.text(SmokescreenExport.config(bundle), contentType: "application/yaml", headers: headers))
        case .dotenv where !withSecrets:
            respond(.text(DotenvExport.render(bundle, secretKeys: nil), contentType: "text/plain; charset=utf-8",
                          headers: headers))
        case .dotenv:
            onWriter(respond) { writer, _ in
                let keys = try writer.secretKeyValues(of: environment)
                return .text(DotenvExport.render(bundle, secretKeys: keys), contentType: "text/plain; charset=utf-8",
                             headers: headers)
            }
        }
    }
}

extension HTTPResponse {
    static func text(_ text: String, contentType: String, headers extra: [(String, String)] = []) -> HTTPResponse {
        var headers = HTTPHeaders([("Content-Type", contentType)])
        for (name, value) in extra { headers.add(name: name, value: value) }
        return HTTPResponse(status: 200, headers: headers, body: Array(text.utf8))
    }
}
