/// One `KEY=value` assignment of a dotenv file.
public struct DotenvEntry: Equatable, Sendable {
    public var key: String
    public var value: String
    public var line: Int
}

/// Parses the dotenv form that self-hosted apps read their settings from.
///
/// Understood: LF and CRLF line endings, blank lines, `#` comments (whole lines, or after an unquoted value following
/// whitespace), an optional `export ` prefix, whitespace around `=`, single-quoted values (taken
/// literally) and double-quoted values (with `\"`, `\\`, `\n`, `\t` escapes). A value that spans
/// lines, a key given twice, or a line that is not an assignment is an error naming the line.
public enum DotenvParser {
    public static func parse(_ text: String) throws(ValidationFailure) -> [DotenvEntry] {
        var entries: [DotenvEntry] = []
        var errors: [FieldError] = []
        var seenLines: [String: Int] = [:]

        // Swift reads "\r\n" as one Character, so splitting on "\n" alone would leave a CRLF file as one line.
        var lines = text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }
        if lines.last?.isEmpty == true { lines.removeLast() }
        for (index, rawLine) in lines.enumerated() {
            let lineNumber = index + 1
            var line = Substring(rawLine)
            if line.hasSuffix("\r") { line = line.dropLast() }
            do throws(FieldError) {
                guard let entry = try parseLine(line, number: lineNumber) else { continue }
                if let first = seenLines[entry.key] {
                    throw FieldError(line: lineNumber, key: entry.key,
                                     detail: "\(entry.key) is also set on line \(first); keep one assignment")
                }
                seenLines[entry.key] = lineNumber
                entries.append(entry)
            } catch {
                errors.append(error)
            }
        }
        guard errors.isEmpty else { throw ValidationFailure(errors) }
        return entries
    }

    private static func parseLine(_ line: Substring, number: Int) throws(FieldError) -> DotenvEntry? {
        var rest = line.drop { $0 == " " || $0 == "\t" }
        if rest.isEmpty || rest.hasPrefix("#") { return nil }
        if rest.hasPrefix("export ") || rest.hasPrefix("export\t") {
            rest = rest.dropFirst("export".count).drop { $0 == " " || $0 == "\t" }
        }

        guard let equals = rest.firstIndex(of: "=") else {
            throw FieldError(line: number, detail: "expected KEY=value")
        }
        let key = String(rest[..<equals].trimmingTrailingBlanks())
        guard isValidKey(key) else {
            throw FieldError(line: number, key: key.isEmpty ? nil : key, value: key,
                             detail: "invalid variable name; use letters, digits and underscores, not starting with a digit")
        }
        let value = try parseValue(rest[rest.index(after: equals)...].drop { $0 == " " || $0 == "\t" },
                                   line: number, key: key)
        return DotenvEntry(key: key, value: value, line: number)
    }

    private static func parseValue(_ text: Substring, line: Int, key: String) throws(FieldError) -> String {
        guard let quote = text.first, quote == "\"" || quote == "'" else {
            // Unquoted: a comment starts at a "#" that follows whitespace.
            var value = Substring(text)
            var previous: Character = " "
            for index in text.indices {
                if text[index] == "#", previous == " " || previous == "\t" {
                    value = text[..<index]
                    break
                }
                previous = text[index]
            }
            return String(value.trimmingTrailingBlanks())
        }

        var value = ""
        var index = text.index(after: text.startIndex)
        while index < text.endIndex {
            let character = text[index]
            if character == quote {
                let after = text[text.index(after: index)...].drop { $0 == " " || $0 == "\t" }
                guard after.isEmpty || after.hasPrefix("#") else {
                    throw FieldError(line: line, key: key, detail: "unexpected text after the closing quote")
                }
                return value
            }
            if quote == "\"", character == "\\" {
                index = text.index(after: index)
                guard index < text.endIndex else { break }
                switch text[index] {
                case "n": value.append("\n")
                case "t": value.append("\t")
                case "\"", "\\", "$": value.append(text[index])
                default:
                    throw FieldError(line: line, key: key, detail: "unknown escape \\\(text[index]) in a double-quoted value")
                }
            } else {
                value.append(character)
            }
            index = text.index(after: index)
        }
        throw FieldError(line: line, key: key, detail: "the quoted value is not closed on the same line")
    }

    private static func isValidKey(_ key: String) -> Bool {
        guard let first = key.utf8.first, !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else { return false }
        return key.utf8.allSatisfy { byte in
            (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "_")
        }
    }
}

extension Substring {
    func trimmingTrailingBlanks() -> Substring {
        var result = self
        while let last = result.last, last == " " || last == "\t" { result = result.dropLast() }
        return result
    }
}
