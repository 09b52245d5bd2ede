import Foundation

/// String escaping for JSON that is written by hand, such as `Envelope.encoded()`.
enum JSONText {
    /// Appends `text` as a quoted JSON string (RFC 8259 section 7).
    ///
    /// Quotation mark, reverse solidus and control characters are escaped; everything else, including
    /// non-ASCII characters, is copied as UTF-8.
    static func appendString(_ text: String, to json: inout [UInt8]) {
        json.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""):
                json.append(contentsOf: Array(#"\""#.utf8))
            case UInt8(ascii: "\\"):
                json.append(contentsOf: Array(#"\\"#.utf8))
            case 0x0a:
                json.append(contentsOf: Array(#"\n"#.utf8))
            case 0x0d:
                json.append(contentsOf: Array(#"\r"#.utf8))
            case 0x09:
                json.append(contentsOf: Array(#"\t"#.utf8))
            case 0x00..<0x20:
                json.append(contentsOf: Array(#"\u00"#.utf8))
                json.append(hexDigits[Int(byte >> 4)])
                json.append(hexDigits[Int(byte & 0x0f)])
            default:
                json.append(byte)
            }
        }
        json.append(UInt8(ascii: "\""))
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)
}

/// Error reasons for `JSONDecoder` failures that name the field at fault.
enum DecodingFailure {
    /// Turns a `DecodingError` into a reason that names the field, such as
    /// "missing field signatures[0].sig".
    static func reason(for error: DecodingError, document: String) -> String {
        switch error {
        case .keyNotFound(let key, let context):
            return "missing field \(path(context.codingPath + [key]))"
        case .valueNotFound(let type, let context):
            return "field \(path(context.codingPath)) is null but must be \(describe(type))"
        case .typeMismatch(let type, let context):
            if context.codingPath.isEmpty {
                return "the \(document) must be \(describe(type))"
            }
            return "field \(path(context.codingPath)) must be \(describe(type))"
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty {
                return "the \(document) is not valid JSON"
            }
            return "field \(path(context.codingPath)) is invalid: \(context.debugDescription)"
        @unknown default:
            return "the \(document) could not be decoded: \(error)"
        }
    }

    private static func path(_ codingPath: [any CodingKey]) -> String {
        var text = ""
        for key in codingPath {
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += text.isEmpty ? key.stringValue : ".\(key.stringValue)"
            }
        }
        return text
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type: "an integer"
        case is Bool.Type: "a Boolean"
        case is [Any].Type: "an array"
        case is [String: Any].Type: "a JSON object"
        default: "of type \(type)"
        }
    }
}
