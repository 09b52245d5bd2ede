/// A problem details object (RFC 9457), sent as `application/problem+json`.
struct ProblemDocument: Sendable, Equatable {
    /// A URI of the form `urn:perimeter:problem:<slug>`.
    let type: String
    /// The reason phrase of `status`.
    let title: String
    let status: Int
    let detail: String

    init(slug: String, status: Int, detail: String) {
        self.type = "urn:perimeter:problem:\(slug)"
        self.title = HTTPStatus.reasonPhrase(for: status)
        self.status = status
        self.detail = detail
    }

    /// The JSON object with its members in the order type, title, status, detail.
    var json: String {
        "{\"type\":\(Self.quoted(type)),\"title\":\(Self.quoted(title)),\"status\":\(status),"
            + "\"detail\":\(Self.quoted(detail))}"
    }

    func makeResponse() -> HTTPResponse {
        HTTPResponse(
            status: status,
            headers: ["Content-Type": "application/problem+json"],
            body: Array(json.utf8)
        )
    }

    /// Encodes `text` as a JSON string literal (RFC 8259 section 7), escaping quotes, backslashes and control
    /// characters.
    static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default:
                result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
