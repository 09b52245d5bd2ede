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

    // Fields that the server sets itself (Content-Length, Transfer-Encoding, Connection, Keep-Alive) are
    // dropped from a responder's headers; see isServerField.

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

        // Built as bytes in one buffer: this runs for every response, and string interpolation was a
        // measurable share of a 304's cost.
        let status = response.status
        let hasContent = status != 204 && status != 304
        let includesBody = hasContent && !context.isHeadRequest
        var bytes: [UInt8] = []
        bytes.reserveCapacity(256 + (includesBody ? response.body.count : 0))

        bytes.append(contentsOf: "HTTP/1.1 ".utf8)
        bytes.append(contentsOf: String(status).utf8)
        bytes.append(UInt8(ascii: " "))
        bytes.append(contentsOf: HTTPStatus.reasonPhrase(for: status).utf8)
        bytes.append(contentsOf: crlf)
        var hasDate = false
        for (name, value) in response.headers {
            if isServerField(name) { continue }
            if !hasDate, name.equalsIgnoringASCIICase("Date") { hasDate = true }
            appendField(name, value, to: &bytes)
        }
        if !hasDate {
            appendField("Date", date, to: &bytes)
        }
        if hasContent {
            appendField("Content-Length", String(response.body.count), to: &bytes)
        }
        if context.closesConnection {
            appendField("Connection", "close", to: &bytes)
        } else if context.requestVersion == .http10 {
            appendField("Connection", "keep-alive", to: &bytes)
        }
        bytes.append(contentsOf: crlf)

        if includesBody {
            bytes.append(contentsOf: response.body)
        }
        return bytes
    }

    private static let crlf: [UInt8] = [13, 10]

    private static func appendField(_ name: String, _ value: String, to bytes: inout [UInt8]) {
        bytes.append(contentsOf: name.utf8)
        bytes.append(UInt8(ascii: ":"))
        bytes.append(UInt8(ascii: " "))
        bytes.append(contentsOf: value.utf8)
        bytes.append(contentsOf: crlf)
    }

    /// Returns whether the server sets this field itself; the length check skips most names without comparing.
    private static func isServerField(_ name: String) -> Bool {
        switch name.utf8.count {
        case 10: name.equalsIgnoringASCIICase("Connection") || name.equalsIgnoringASCIICase("Keep-Alive")
        case 14: name.equalsIgnoringASCIICase("Content-Length")
        case 17: name.equalsIgnoringASCIICase("Transfer-Encoding")
        default: false
        }
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
