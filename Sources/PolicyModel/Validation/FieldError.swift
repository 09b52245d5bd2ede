/// One invalid input value, located by JSON pointer (RFC 6901) or, for dotenv text, by line and key.
public struct FieldError: Error, Equatable, Sendable, CustomStringConvertible {
    public var pointer: String?
    public var line: Int?
    public var key: String?
    /// The offending value as the client sent it, quoted back so the client can find it.
    public var value: String?
    public var detail: String

    public init(pointer: String? = nil, line: Int? = nil, key: String? = nil, value: String? = nil, detail: String) {
        self.pointer = pointer
        self.line = line
        self.key = key
        self.value = value
        self.detail = detail
    }

    /// The location and the detail, such as `/blocks/1: …` or `line 2, TRUST_ALL_PROXIES: …`.
    public var description: String {
        let location: String
        if let pointer {
            // The empty pointer is the whole document (RFC 6901 section 5).
            location = pointer.isEmpty ? "document" : pointer
        } else if let line {
            location = key.map { "line \(line), \($0)" } ?? "line \(line)"
        } else {
            location = key ?? "input"
        }
        return "\(location): \(detail)"
    }
}

/// Every invalid value found in one request; nothing of the request is applied.
public struct ValidationFailure: Error, Equatable, Sendable, CustomStringConvertible {
    public var errors: [FieldError]

    public init(_ errors: [FieldError]) { self.errors = errors }

    public var description: String { errors.map(\.description).joined(separator: "; ") }
}

/// Builds JSON pointers, escaping `~` and `/` in member names as RFC 6901 requires.
public enum JSONPointer {
    public static func appending(_ token: String, to pointer: String) -> String {
        pointer + "/" + token.replacingAll("~", with: "~0").replacingAll("/", with: "~1")
    }

    public static func appending(_ index: Int, to pointer: String) -> String { pointer + "/" + String(index) }
}

extension String {
    func replacingAll(_ target: Character, with replacement: String) -> String {
        var result = ""
        for character in self {
            if character == target { result += replacement } else { result.append(character) }
        }
        return result
    }
}
