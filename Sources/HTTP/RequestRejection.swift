/// A reason to reject a request; the server sends a problem response for it and closes the connection.
struct RequestRejection: Error, Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        /// 400: the bytes break the HTTP/1.1 grammar or its framing rules.
        case malformedRequest
        /// 408: the head or body did not arrive in time.
        case requestTimeout
        /// 413: the body is larger than `maxBodyBytes`.
        case payloadTooLarge
        /// 414: the request line is longer than `maxRequestLineBytes`.
        case uriTooLong
        /// 417: an `Expect` value other than `100-continue`.
        case expectationFailed
        /// 431: too many header or trailer fields, or too many bytes of them.
        case headerFieldsTooLarge
        /// 501: a transfer coding other than `chunked`.
        case notImplemented
        /// 505: an HTTP version other than 1.0 and 1.1.
        case versionNotSupported
    }

    let kind: Kind
    /// A sentence for the client that names the rule broken; it never echoes header values.
    let detail: String

    var status: Int {
        switch kind {
        case .malformedRequest: 400
        case .requestTimeout: 408
        case .payloadTooLarge: 413
        case .uriTooLong: 414
        case .expectationFailed: 417
        case .headerFieldsTooLarge: 431
        case .notImplemented: 501
        case .versionNotSupported: 505
        }
    }

    var problem: ProblemDocument {
        let slug = switch kind {
        case .malformedRequest: "malformed-request"
        case .requestTimeout: "request-timeout"
        case .payloadTooLarge: "payload-too-large"
        case .uriTooLong: "uri-too-long"
        case .expectationFailed: "expectation-failed"
        case .headerFieldsTooLarge: "header-fields-too-large"
        case .notImplemented: "not-implemented"
        case .versionNotSupported: "version-not-supported"
        }
        return ProblemDocument(slug: slug, status: status, detail: detail)
    }

    static func malformed(_ detail: String) -> RequestRejection {
        RequestRejection(kind: .malformedRequest, detail: detail)
    }
}
