/// What the app may reach. Rules come later; an empty policy is published as `{}` meanwhile.
public struct EgressPolicy: Equatable, Sendable {
    public init() {}

    public init(json: JSONValue, at pointer: String = "") throws(ValidationFailure) {
        var reader = ObjectReader(json, at: pointer)
        reader.rejectUnknownMembers()
        guard reader.errors.isEmpty else { throw ValidationFailure(reader.errors) }
    }

    public var json: JSONValue { .object([]) }
}
