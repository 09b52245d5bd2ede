import HTTP
import PolicyModel

extension ControlPlaneResponder {
    /// Applies a PostHog-style dotenv file as one change, so it makes at most one new version.
    func importDotenv(into environment: String, request: HTTPRequest, actor: Actor,
                      respond: @escaping @Sendable (HTTPResponse) -> Void) throws {
        let text = try request.textBody(mediaType: "text/plain")
        let entries: [DotenvEntry]
        do {
            entries = try DotenvParser.parse(text)
        } catch {
            throw Problem.validation(error)
        }
        onWriter(respond) { writer, _ in
            var applied: [String] = []
            var ignored: [String] = []
            let (_, outcome) = try writer.change(environment: environment, action: "import.dotenv", by: actor) { policy in
                let result = try DotenvImport.apply(entries, to: policy)
                policy = result.policy
                applied = result.applied
                ignored = result.ignored
            }
            return .json(.object([
                ("version", .integer(outcome.version)),
                ("changed", .bool(outcome != .unchanged(version: outcome.version))),
                ("applied", .array(applied.map { .string($0) })),
                ("ignored", .array(ignored.map { .string($0) })),
            ]))
        }
    }
}
