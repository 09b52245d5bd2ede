/// The framing that gives the length of a request body (RFC 9112 section 6.3).
enum BodyFraming: Sendable, Equatable {
    case none
    case contentLength(Int)
    case chunked
}

/// The parsed request line.
struct RequestLine: Sendable, Equatable {
    let method: String
    let target: String
    let version: HTTPVersion
}

/// A complete, checked request head and what it implies for the body and the connection.
struct RequestHead: Sendable, Equatable {
    let method: String
    let target: String
    let version: HTTPVersion
    let headers: HTTPHeaders
    let framing: BodyFraming
    /// Whether the connection stays open after this exchange, from the version and the `Connection` field.
    let isKeepAlive: Bool
    /// Whether the client waits for `100 Continue` before it sends the body.
    let expectsContinue: Bool

    /// Checks the fields of a head, in this order:
    ///
    /// 1. `Host`: exactly one on HTTP/1.1, at most one on HTTP/1.0, a valid host with optional port (400).
    /// 2. Framing: `Transfer-Encoding` with `Content-Length` (400), `Transfer-Encoding` on HTTP/1.0 (400),
    ///    any coding other than one `chunked` (501, or 400 for a repeated or empty element), `Content-Length` that is
    ///    not one decimal number (400), and a body over `maxBodyBytes` (413). Repeated identical `Content-Length`
    ///    lines are accepted, as RFC 9110 section 8.6 allows.
    /// 3. `Expect`: only `100-continue` (417); ignored on HTTP/1.0 as RFC 9110 section 10.1.1 requires.
    /// 4. `Connection`: `close` ends the connection; HTTP/1.0 keeps it only with `keep-alive`.
    init(_ line: RequestLine, headers: HTTPHeaders, limits: HTTPLimits) throws(RequestRejection) {
        let fields = ControlFields(headers)
        try Self.checkHost(fields, version: line.version)
        let framing = try Self.framing(of: fields, version: line.version, limits: limits)

        var expectsContinue = false
        let expectations = fields.expectations
        if line.version == .http11 && !expectations.isEmpty {
            guard expectations.count == 1,
                  expectations[0].utf8[...].trimmingWhitespace().elementsEqual("100-continue".utf8, by: {
                      $0.asciiLowercased == $1
                  })
            else {
                throw RequestRejection(kind: .expectationFailed, detail: "The only supported expectation is 100-continue.")
            }
            expectsContinue = framing != .none && framing != .contentLength(0)
        }

        let options = Self.listElements(fields.connectionOptions).map { $0.lowercased() }
        let isKeepAlive = switch line.version {
        case .http11: !options.contains("close")
        case .http10: options.contains("keep-alive") && !options.contains("close")
        }

        self.method = line.method
        self.target = line.target
        self.version = line.version
        self.headers = headers
        self.framing = framing
        self.isKeepAlive = isKeepAlive
        self.expectsContinue = expectsContinue
    }

    // MARK: - Host

    private static func checkHost(_ fields: ControlFields, version: HTTPVersion) throws(RequestRejection) {
        if fields.hostCount > 1 {
            throw .malformed("The request has more than one Host header field.")
        }
        guard let host = fields.host else {
            if version == .http11 {
                throw .malformed("An HTTP/1.1 request must have a Host header field.")
            }
            return
        }
        // Host bytes exclude whitespace, "/", "@" and anything else that would change what the authority means.
        let isValid = !host.isEmpty && host.allUTF8Bytes(satisfy: { $0.isHostCharacter })
        guard isValid else {
            throw .malformed("The Host header field is not a valid host with optional port.")
        }
    }

    // MARK: - Framing

    private static func framing(
        of fields: ControlFields,
        version: HTTPVersion,
        limits: HTTPLimits
    ) throws(RequestRejection) -> BodyFraming {
        let transferCodings = fields.transferCodings
        let lengths = fields.contentLengths

        if !transferCodings.isEmpty {
            // A request with both is the classic request-smuggling shape (RFC 9112 section 6.1).
            guard lengths.isEmpty else {
                throw .malformed("The request has both Transfer-Encoding and Content-Length.")
            }
            guard version == .http11 else {
                throw .malformed("Transfer-Encoding is not allowed in an HTTP/1.0 request.")
            }
            try checkTransferCodings(transferCodings)
            return .chunked
        }

        guard let first = lengths.first else {
            return .none
        }
        let length = try parseContentLength(first)
        for other in lengths.dropFirst() where try parseContentLength(other) != length {
            throw .malformed("The request has Content-Length fields with different values.")
        }
        guard length <= limits.maxBodyBytes else {
            throw RequestRejection(
                kind: .payloadTooLarge,
                detail: "The body of \(length) bytes exceeds the limit of \(limits.maxBodyBytes) bytes."
            )
        }
        return .contentLength(length)
    }

    /// Accepts exactly one `chunked` element across all `Transfer-Encoding` lines, in any letter case.
    private static func checkTransferCodings(_ values: [String]) throws(RequestRejection) {
        let elements = values.flatMap { value in
            value.utf8.split(separator: .comma, omittingEmptySubsequences: false).map { $0.trimmingWhitespace() }
        }
        for element in elements where !element.isEmpty {
            guard element.elementsEqual("chunked".utf8, by: { $0.asciiLowercased == $1 }) else {
                throw RequestRejection(kind: .notImplemented, detail: "The only supported transfer coding is chunked.")
            }
        }
        guard elements.count == 1, !elements[0].isEmpty else {
            throw .malformed("Transfer-Encoding must be exactly one chunked coding.")
        }
    }

    /// Reads `1*DIGIT` (RFC 9110 section 8.6): no sign, no whitespace inside, no list, no overflow.
    private static func parseContentLength(_ value: String) throws(RequestRejection) -> Int {
        guard !value.isEmpty, value.utf8.allSatisfy(\.isDecimalDigit) else {
            throw .malformed("Content-Length must be a single decimal number.")
        }
        var length = 0
        for digit in value.utf8 {
            let (shifted, multiplyOverflow) = length.multipliedReportingOverflow(by: 10)
            let (sum, addOverflow) = shifted.addingReportingOverflow(Int(digit - UInt8(ascii: "0")))
            guard !multiplyOverflow && !addOverflow else {
                throw .malformed("Content-Length is too large to represent.")
            }
            length = sum
        }
        return length
    }

    /// Splits comma-separated list fields into their non-empty, trimmed elements (RFC 9110 section 5.6.1).
    private static func listElements(_ values: [String]) -> [String] {
        values.flatMap { value in
            value.utf8.split(separator: .comma).map { String(decoding: $0.trimmingWhitespace(), as: UTF8.self) }
        }.filter { !$0.isEmpty }
    }
}

/// The fields that decide framing and connection handling, gathered in one pass over the head, since every request
/// needs all of them.
private struct ControlFields {
    /// The first Host value; `hostCount` counts them all.
    var host: String?
    var hostCount = 0
    var transferCodings: [String] = []
    var contentLengths: [String] = []
    var expectations: [String] = []
    var connectionOptions: [String] = []

    init(_ headers: HTTPHeaders) {
        for field in headers.fields {
            // Comparing lengths first skips most names without looking at their bytes.
            switch field.name.utf8.count {
            case 4 where field.name.equalsIgnoringASCIICase("Host"):
                if host == nil { host = field.value }
                hostCount += 1
            case 6 where field.name.equalsIgnoringASCIICase("Expect"):
                expectations.append(field.value)
            case 10 where field.name.equalsIgnoringASCIICase("Connection"):
                connectionOptions.append(field.value)
            case 14 where field.name.equalsIgnoringASCIICase("Content-Length"):
                contentLengths.append(field.value)
            case 17 where field.name.equalsIgnoringASCIICase("Transfer-Encoding"):
                transferCodings.append(field.value)
            default:
                break
            }
        }
    }
}
