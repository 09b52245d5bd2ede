import HTTP
import PolicyModel

extension HTTPResponse {
    /// Makes a JSON response with `Content-Type: application/json`.
    static func json(_ value: JSONValue, status: Int = 200, headers extra: [(String, String)] = []) -> HTTPResponse {
        var headers = HTTPHeaders([("Content-Type", "application/json")])
        for (name, value) in extra { headers.add(name: name, value: value) }
        return HTTPResponse(status: status, headers: headers, body: value.encoded())
    }
}

extension HTTPRequest {
    /// Parses the body as JSON, after checking that the client declared it as JSON.
    func jsonBody() throws(Problem) -> JSONValue {
        let contentType = headers.first("Content-Type")
        guard let contentType, MediaType.matches(contentType, "application/json") else {
            throw Problem.unsupportedMediaType(contentType, expected: "application/json")
        }
        do {
            return try JSONParser.parse(body)
        } catch {
            throw Problem.malformedJSON(error)
        }
    }

    /// Returns the body as UTF-8 text of the given media type.
    func textBody(mediaType: String) throws(Problem) -> String {
        let contentType = headers.first("Content-Type")
        guard let contentType, MediaType.matches(contentType, mediaType) else {
            throw Problem.unsupportedMediaType(contentType, expected: mediaType)
        }
        guard let text = String(validating: body, as: UTF8.self) else {
            throw Problem(status: 400, slug: "malformed-body", title: "Malformed body", detail: "the body is not valid UTF-8")
        }
        return text
    }
}

enum MediaType {
    /// Compares the type and subtype of a Content-Type value, ignoring case and parameters such as charset.
    static func matches(_ contentType: String, _ expected: String) -> Bool {
        let essence = contentType.split(separator: ";", maxSplits: 1).first ?? ""
        return essence.trimmingCharacters(in: " \t").lowercased() == expected
    }
}

extension StringProtocol {
    func trimmingCharacters(in characters: String) -> Substring {
        var result = Substring(self)
        while let first = result.first, characters.contains(first) { result = result.dropFirst() }
        while let last = result.last, characters.contains(last) { result = result.dropLast() }
        return result
    }
}
