import Foundation
import PolicyModel
import Signing

/// The whole policy as one JSON document: every section under its payload name.
enum PolicyDocument {
    static func json(of policy: Policy) -> [(key: String, value: JSONValue)] {
        Policy.Section.allCases.map { ($0.rawValue, policy.json(of: $0)) }
    }

    /// Reads a whole policy; a missing section takes its default value, as a section PUT does.
    ///
    /// A `version` member, as `GET …/policy` returns it, is accepted and ignored, so a document can be
    /// read, edited and sent back. `If-Match` is what guards against overwriting a newer version.
    static func policy(from json: JSONValue) throws(ValidationFailure) -> Policy {
        var reader = ObjectReader(json)
        _ = reader.optional("version")
        var policy = Policy()
        for section in Policy.Section.allCases {
            guard let (value, pointer) = reader.optional(section.rawValue) else { continue }
            do {
                switch section {
                case .ipAllowlist: policy.ipAllowlist = try IPAllowlist(json: value, at: pointer)
                case .trustedProxies: policy.trustedProxies = try TrustedProxies(json: value, at: pointer)
                case .cookies: policy.cookies = try CookiePolicy(json: value, at: pointer)
                case .egress: policy.egress = try EgressPolicy(json: value, at: pointer)
                }
            } catch {
                reader.record(error.errors)
            }
        }
        reader.rejectUnknownMembers()
        guard reader.errors.isEmpty else { throw ValidationFailure(reader.errors) }
        return policy
    }

    /// Reads the policy a published envelope carries; its signature was checked when it was made.
    static func policy(fromEnvelope envelope: [UInt8]) throws -> Policy {
        let payload = try Envelope(decoding: envelope).payload
        let json = try JSONParser.parse(payload)
        guard let cookies = json["cookies"], let setting = cookies["setting"], let mode = cookies["app_mode"] else {
            throw Problem.internalError
        }
        var members: [(key: String, value: JSONValue)] = []
        for section in Policy.Section.allCases {
            guard let value = json[section.rawValue] else { throw Problem.internalError }
            members.append((section.rawValue, section == .cookies
                ? .object([("secure", setting), ("app_mode", mode)]) : value))
        }
        return try policy(from: .object(members))
    }

    /// Returns a strong entity tag over the policy's canonical JSON, so it changes exactly when the policy does.
    static func etag(of policy: Policy) -> String {
        "\"" + String(SHA256.hex(JSONValue.object(json(of: policy)).encoded()).prefix(32)) + "\""
    }

    /// Enforces `If-Match` (RFC 9110 section 13.1.1, strong comparison); a stale tag is 412.
    static func checkPrecondition(_ ifMatch: [String], current: Policy) throws(Problem) {
        guard !ifMatch.isEmpty else { return }
        let etag = etag(of: current)
        for value in ifMatch {
            for member in value.split(separator: ",") {
                let candidate = member.trimmingCharacters(in: " \t")
                if candidate == "*" || candidate == etag { return }
            }
        }
        throw Problem(status: 412, slug: "precondition-failed", title: "Precondition failed",
                      detail: "the policy changed since it was read (If-Match does not match the current ETag \(etag)); "
                          + "read it again and reapply your change")
    }

    /// Returns the difference per section: added and removed list entries, and changed fields with both values.
    static func diff(from old: Policy, to new: Policy) -> JSONValue {
        var sections: [(key: String, value: JSONValue)] = []
        for section in Policy.Section.allCases {
            let before = old.json(of: section)
            let after = new.json(of: section)
            guard before != after, case let .object(oldMembers) = before, case let .object(newMembers) = after else {
                continue
            }
            var fields: [(key: String, value: JSONValue)] = []
            let keys = newMembers.map(\.key) + oldMembers.map(\.key).filter { key in !newMembers.contains { $0.key == key } }
            for key in keys {
                let was = before[key] ?? .null
                let now = after[key] ?? .null
                guard was != now else { continue }
                if case let .array(oldItems) = was, case let .array(newItems) = now {
                    fields.append((key, .object([
                        ("added", .array(newItems.filter { !oldItems.contains($0) })),
                        ("removed", .array(oldItems.filter { !newItems.contains($0) })),
                    ])))
                } else {
                    fields.append((key, .object([("from", was), ("to", now)])))
                }
            }
            sections.append((section.rawValue, .object(fields)))
        }
        return .object(sections)
    }
}

/// The query parameters of a request target, parsed strictly.
struct QueryParameters {
    private var values: [String: String] = [:]

    init(_ query: String?) throws(Problem) {
        for pair in (query ?? "").split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0])
            let value = parts.count == 2 ? (String(parts[1]).removingPercentEncoding ?? String(parts[1])) : ""
            guard values[name] == nil else {
                throw Problem(status: 400, slug: "malformed-query", title: "Malformed query",
                              detail: "the query parameter \"\(name)\" is given more than once")
            }
            values[name] = value
        }
    }

    func string(_ name: String) -> String? { values[name].flatMap { $0.isEmpty ? nil : $0 } }

    func boolean(_ name: String) throws(Problem) -> Bool? {
        guard let text = values[name] else { return nil }
        guard let value = StrictBoolean.parse(text) else {
            throw invalid(name, text, "expected true or false")
        }
        return value
    }

    func integer(_ name: String, in range: ClosedRange<Int>) throws(Problem) -> Int? {
        guard let text = string(name) else { return nil }
        guard text.count <= 9, text.allSatisfy(\.isASCII), text.allSatisfy(\.isNumber), let value = Int(text),
              range.contains(value) else {
            throw invalid(name, text, "expected a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    func timestamp(_ name: String) throws(Problem) -> Timestamp? {
        guard let text = string(name) else { return nil }
        guard let value = Timestamp(rfc3339: text) else {
            throw invalid(name, text, "expected an RFC 3339 UTC time such as 2026-12-04T19:44:50Z")
        }
        return value
    }

    private func invalid(_ name: String, _ value: String, _ detail: String) -> Problem {
        Problem(status: 400, slug: "malformed-query", title: "Malformed query",
                detail: "query parameter \(name)=\(value): \(detail)",
                errors: [FieldError(key: name, value: value, detail: detail)])
    }
}
