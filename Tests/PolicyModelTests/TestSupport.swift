import PolicyModel
import Testing

/// Parses a JSON test fixture written as a string literal.
func json(_ text: String) throws -> JSONValue {
    try JSONParser.parse(Array(text.utf8))
}

/// Parses an address fixture that the test expects to be valid.
func address(_ text: String) throws -> IPAddress {
    try IPAddress(parsing: text)
}

/// Parses a block fixture that the test expects to be valid.
func block(_ text: String) throws -> CIDRBlock {
    try CIDRBlock(parsing: text)
}

/// Lists the JSON pointers of a validation failure in the order they were recorded.
func pointers(_ failure: ValidationFailure?) -> [String?] {
    failure?.errors.map(\.pointer) ?? []
}
