/// The facts about a request that decide how its response is framed.
struct ResponseContext: Sendable, Equatable {
    /// Whether the request was `HEAD`, so the body is left out but its length is still sent.
    var isHeadRequest: Bool
    var requestVersion: HTTPVersion
    /// Whether the connection closes after this response, announced with `Connection: close`.
    var closesConnection: Bool
}

/// A response the server must not send as given.
struct InvalidResponseError: Error, Sendable, Equatable, CustomStringConvertible {
    let description: String
}

/// Serializes responses into HTTP/1.1 bytes.
enum ResponseEncoder {
    static let continueBytes = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)

    /// Fields that the server sets itself; a responder's copies are dropped.
    private static let serverFields = ["Content-Length", "Transfer-Encoding", "Connection", "Keep-Alive"]

    /// Encodes the status line, the responder's fields, `Date`, `Content-Length` and `Connection`, then the body.
    ///
    /// 204 and 304 responses get neither a body nor `Content-Length`. A `HEAD` response gets the `Content-Length`
    /// of the body it was given but not the body (RFC 9110 section 9.3.2).
    static func encode(
        _ response: HTTPResponse,
        context: ResponseContext,
        date: String
    ) throws(InvalidResponseError) -> [UInt8] {
        try validate(response)

        let status = response.status
        var head = "HTTP/1.1 \(status) \(HTTPStatus.reasonPhrase(for: status))\r\n"
        for (name, value) in response.headers where !serverFields.contains(where: name.equalsIgnoringASCIICase) {
            head += "\(name): \(value)\r\n"
        }
        if !response.headers.contains(name: "Date") {
            head += "Date: \(date)\r\n"
        }

        let hasContent = status != 204 && status != 304
        if hasContent {
            head += "Content-Length: \(response.body.count)\r\n"
        }
        if context.closesConnection {
            head += "Connection: close\r\n"
        } else if context.requestVersion == .http10 {
            head += "Connection: keep-alive\r\n"
        }
        head += "\r\n"

        var bytes = Array(head.utf8)
        if hasContent && !context.isHeadRequest {
            bytes.append(contentsOf: response.body)
        }
        return bytes
    }

    /// Rejects what would corrupt the framing or inject fields: a status outside 200...999, a name that is not a
    /// token, or a value with a control character other than HTAB (CR and LF included).
    private static func validate(_ response: HTTPResponse) throws(InvalidResponseError) {
        guard (200...999).contains(response.status) else {
            throw InvalidResponseError(description: "status \(response.status) is not a final status from 200 to 999")
        }
        for (name, value) in response.headers {
            guard !name.isEmpty, name.utf8.allSatisfy(\.isTokenCharacter) else {
                throw InvalidResponseError(description: "header field name \"\(name)\" is not a token")
            }
            guard value.utf8.allSatisfy(\.isFieldValueCharacter) else {
                throw InvalidResponseError(description: "value of header field \(name) contains a control character")
            }
        }
    }
}
