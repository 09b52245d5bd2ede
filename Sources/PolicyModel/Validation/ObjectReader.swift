/// Reads the members of one JSON object, collecting a `FieldError` for each problem instead of
/// stopping at the first, and refusing members it was not asked for.
public struct ObjectReader {
    private let members: [(key: String, value: JSONValue)]
    private let pointer: String
    private var consumed = Set<String>()
    public private(set) var errors: [FieldError] = []

    /// Starts reading `value`, or records an error when it is not an object.
    public init(_ value: JSONValue, at pointer: String = "") {
        self.pointer = pointer
        if case let .object(members) = value {
            self.members = members
        } else {
            self.members = []
            errors.append(FieldError(pointer: pointer.isEmpty ? "" : pointer, value: nil,
                                     detail: "expected a JSON object, found \(value.typeName)"))
        }
    }

    public mutating func optional(_ key: String) -> (value: JSONValue, pointer: String)? {
        consumed.insert(key)
        guard let member = members.first(where: { $0.key == key }) else { return nil }
        return (member.value, JSONPointer.appending(key, to: pointer))
    }

    public mutating func record(_ error: FieldError) { errors.append(error) }

    public mutating func record(_ errors: [FieldError]) { self.errors += errors }

    /// A Boolean member; only JSON `true` and `false` are accepted, never strings or numbers.
    public mutating func bool(_ key: String, default defaultValue: Bool) -> Bool {
        guard let (value, pointer) = optional(key) else { return defaultValue }
        guard case let .bool(flag) = value else {
            errors.append(FieldError(pointer: pointer, value: value.encodedString,
                                     detail: "expected a JSON Boolean (true or false), found \(value.typeName)"))
            return defaultValue
        }
        return flag
    }

    /// An array of strings, each element checked by `transform`.
    public mutating func strings<T>(_ key: String, maxCount: Int,
                                    _ transform: (String) throws(FieldError) -> T) -> [T] {
        guard let (value, pointer) = optional(key) else { return [] }
        guard case let .array(elements) = value else {
            errors.append(FieldError(pointer: pointer, value: value.encodedString,
                                     detail: "expected an array of strings, found \(value.typeName)"))
            return []
        }
        guard elements.count <= maxCount else {
            errors.append(FieldError(pointer: pointer, detail: "at most \(maxCount) entries are allowed, found \(elements.count)"))
            return []
        }
        var results: [T] = []
        for (index, element) in elements.enumerated() {
            let elementPointer = JSONPointer.appending(index, to: pointer)
            guard case let .string(text) = element else {
                errors.append(FieldError(pointer: elementPointer, value: element.encodedString,
                                         detail: "expected a string, found \(element.typeName)"))
                continue
            }
            do {
                results.append(try transform(text))
            } catch var error {
                error.pointer = elementPointer
                errors.append(error)
            }
        }
        return results
    }

    /// Records an error for every member that no accessor asked for.
    public mutating func rejectUnknownMembers() {
        for member in members where !consumed.contains(member.key) {
            errors.append(FieldError(pointer: JSONPointer.appending(member.key, to: pointer),
                                     detail: "unknown field \"\(member.key)\""))
        }
    }
}
