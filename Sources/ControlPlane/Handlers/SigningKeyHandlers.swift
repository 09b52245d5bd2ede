import HTTP
import PolicyModel

extension ControlPlaneResponder {
    /// Starts a signing-key rotation; the steps after it happen on their own as the overlaps pass.
    func rotateSigningKey(request: HTTPRequest, actor: Actor, respond: @escaping @Sendable (HTTPResponse) -> Void) throws {
        if !request.body.isEmpty {
            var reader = ObjectReader(try request.jsonBody())
            reader.rejectUnknownMembers()
            guard reader.errors.isEmpty else { throw Problem.validation(ValidationFailure(reader.errors)) }
        }
        onWriter(respond) { writer, _ in
            let status = try writer.rotateSigningKey(by: actor)
            return .json(.object([
                ("key_id", .string(status.keyID)),
                ("state", .string("next")),
                ("signs_from", .string(status.signsFrom.rfc3339)),
                ("old_key_retires_at", .string(status.oldKeyRetiresAt.rfc3339)),
            ]), status: 202)
        }
    }
}
