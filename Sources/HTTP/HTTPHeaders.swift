/// An ordered list of header fields in wire order, with repeated field lines kept as separate entries.
///
/// Lookups compare names case-insensitively (RFC 9110 section 5.1); stored names keep the case they were sent with.
public struct HTTPHeaders: Sendable, Sequence, Equatable, ExpressibleByDictionaryLiteral {
    public typealias Element = (name: String, value: String)

    private(set) var fields: [Element]

    public init(_ fields: [(String, String)] = []) {
        self.fields = fields.map { (name: $0.0, value: $0.1) }
    }

    public init(dictionaryLiteral elements: (String, String)...) {
        self.init(elements)
    }

    public var count: Int { fields.count }

    public var isEmpty: Bool { fields.isEmpty }

    /// Appends a field line, keeping any earlier lines with the same name.
    public mutating func add(name: String, value: String) {
        fields.append((name: name, value: value))
    }

    /// Reserves room for `count` field lines in all, so that adding them one by one does not reallocate.
    public mutating func reserveCapacity(_ count: Int) {
        fields.reserveCapacity(count)
    }

    /// Removes every field named `name`, then appends one line with `value`.
    public mutating func replaceOrAdd(name: String, value: String) {
        remove(name: name)
        add(name: name, value: value)
    }

    /// Removes every field named `name`.
    public mutating func remove(name: String) {
        fields.removeAll { $0.name.equalsIgnoringASCIICase(name) }
    }

    public func contains(name: String) -> Bool {
        fields.contains { $0.name.equalsIgnoringASCIICase(name) }
    }

    /// Returns the values of all fields named `name` in wire order, or an empty array when there is none.
    public subscript(_ name: String) -> [String] {
        // One pass that allocates only when a field matches; every request looks up several names.
        var values: [String] = []
        for field in fields where field.name.equalsIgnoringASCIICase(name) {
            values.append(field.value)
        }
        return values
    }

    /// Returns the values of all fields named `name` in wire order, found while iterating rather than collected
    /// into an array, which saves an allocation on lookups made for every request.
    public func values(named name: String) -> Values {
        Values(fields: fields, name: name)
    }

    /// Returns the value of the only field named `name`, or nil when there is none or more than one.
    public func onlyValue(named name: String) -> String? {
        var values = values(named: name).makeIterator()
        guard let value = values.next(), values.next() == nil else { return nil }
        return value
    }

    /// Returns the value of the first field named `name`.
    public func first(_ name: String) -> String? {
        fields.first { $0.name.equalsIgnoringASCIICase(name) }?.value
    }

    public func makeIterator() -> IndexingIterator<[Element]> {
        fields.makeIterator()
    }

    public static func == (lhs: HTTPHeaders, rhs: HTTPHeaders) -> Bool {
        lhs.fields.elementsEqual(rhs.fields) { $0.name == $1.name && $0.value == $1.value }
    }
}

extension HTTPHeaders {
    /// The values of the fields with one name, in wire order; see `values(named:)`.
    public struct Values: Sequence {
        fileprivate let fields: [Element]
        fileprivate let name: String

        public func makeIterator() -> Iterator {
            Iterator(fields: fields, name: name)
        }

        public struct Iterator: IteratorProtocol {
            fileprivate let fields: [Element]
            fileprivate let name: String
            private var index = 0

            fileprivate init(fields: [Element], name: String) {
                self.fields = fields
                self.name = name
            }

            public mutating func next() -> String? {
                while index < fields.count {
                    defer { index += 1 }
                    if fields[index].name.equalsIgnoringASCIICase(name) {
                        return fields[index].value
                    }
                }
                return nil
            }
        }
    }
}
