import PolicyModel
import Testing

struct JSONParserTests {
    private func parse(_ bytes: [UInt8]) throws(JSONParser.Error) -> JSONValue {
        try JSONParser.parse(bytes)
    }

    private func parse(_ text: String) throws(JSONParser.Error) -> JSONValue {
        try JSONParser.parse(Array(text.utf8))
    }

    // MARK: - Values

    @Test(arguments: [
        ("null", JSONValue.null),
        ("true", .bool(true)),
        ("false", .bool(false)),
        ("0", .number("0")),
        ("-0", .number("-0")),
        ("1.0", .number("1.0")),
        ("-12.5e+3", .number("-12.5e+3")),
        ("1E5", .number("1E5")),
        ("\"\"", .string("")),
        ("[]", .array([])),
        ("{}", .object([])),
        (" \t\r\n[ 1 , \"a\" ]\n", .array([.number("1"), .string("a")])),
    ])
    func documentParsesToValue(text: String, value: JSONValue) throws {
        #expect(try parse(text) == value)
    }

    @Test func objectKeepsMemberOrder() throws {
        let value = try parse(#"{"b": 1, "a": {"d": null, "c": []}}"#)
        let expected = JSONValue.object([
            ("b", .number("1")),
            ("a", .object([("d", .null), ("c", .array([]))])),
        ])
        #expect(value == expected)
    }

    @Test func numberKeepsLiteralText() throws {
        #expect(try parse("1.0") != parse("1"))
        #expect(try parse("100000000000000000000000000001") == .number("100000000000000000000000000001"))
    }

    // MARK: - Strictness

    @Test func duplicateMemberNameIsRejectedAtSecondName() {
        let error = #expect(throws: JSONParser.Error.self) { try parse(#"{"a":1,"a":2}"#) }
        #expect(error?.offset == 7)
        #expect(error?.reason.contains("duplicate") == true)
    }

    @Test func duplicateIsFoundAfterEscapesDecode() {
        #expect(throws: JSONParser.Error.self) { try parse(#"{"a":1,"\u0061":2}"#) }
    }

    @Test func sameNameInNestedObjectIsAllowed() throws {
        #expect(try parse(#"{"a":{"a":1},"b":[{"a":2},{"a":3}]}"#)["a"] == .object([("a", .number("1"))]))
    }

    @Test func nestingUpToMaxDepthIsAccepted() throws {
        let depth = JSONParser.defaultMaxDepth
        let empty = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        let filled = String(repeating: "[", count: depth) + "1" + String(repeating: "]", count: depth)
        #expect(throws: Never.self) { try parse(empty) }
        #expect(throws: Never.self) { try parse(filled) }
    }

    @Test func nestingBeyondMaxDepthIsRejected() {
        let depth = JSONParser.defaultMaxDepth + 1
        let arrays = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        let objects = String(repeating: #"{"a":"#, count: depth) + "1" + String(repeating: "}", count: depth)
        #expect(throws: JSONParser.Error.self) { try parse(arrays) }
        #expect(throws: JSONParser.Error.self) { try parse(objects) }
    }

    @Test func deeplyNestedInputFailsWithoutCrashing() {
        let hostile = [UInt8](repeating: UInt8(ascii: "["), count: 1_000_000)
        #expect(throws: JSONParser.Error.self) { try parse(hostile) }
    }

    @Test func maxDepthCountsContainersOnly() throws {
        #expect(try JSONParser.parse(Array("[[1]]".utf8), maxDepth: 2) == .array([.array([.number("1")])]))
        #expect(try JSONParser.parse(Array("1".utf8), maxDepth: 0) == .number("1"))
        #expect(throws: JSONParser.Error.self) { try JSONParser.parse(Array("[[[1]]]".utf8), maxDepth: 2) }
    }

    @Test(arguments: ["01", "-01", "00", "[01]", #"{"a":007}"#, "-00.5"])
    func leadingZeroIsRejected(text: String) {
        #expect(throws: JSONParser.Error.self) { try parse(text) }
    }

    @Test(arguments: ["+1", ".5", "1.", "1.e5", "1e", "1e+", "-", "0x10", "NaN", "Infinity", "-Infinity", "1_000"])
    func malformedNumberIsRejected(text: String) {
        #expect(throws: JSONParser.Error.self) { try parse(text) }
    }

    @Test(arguments: [0x00, 0x01, 0x09, 0x0A, 0x0D, 0x1F] as [UInt8])
    func rawControlCharacterInStringIsRejected(byte: UInt8) {
        let bytes = [UInt8(ascii: "\""), UInt8(ascii: "a"), byte, UInt8(ascii: "\"")]
        let error = #expect(throws: JSONParser.Error.self) { try parse(bytes) }
        #expect(error?.offset == 2)
    }

    @Test func deleteCharacterInStringIsAccepted() throws {
        #expect(try parse([0x22, 0x7F, 0x22]) == .string("\u{7F}"))
    }

    @Test(arguments: [
        [0x22, 0xFF, 0x22],
        [0x22, 0x80, 0x22],
        [0x22, 0xC0, 0xAF, 0x22],
        [0x22, 0xE0, 0x80, 0xAF, 0x22],
        [0x22, 0xE2, 0x82, 0x22],
        [0x22, 0xED, 0xA0, 0x80, 0x22],
        [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22],
        [0x22, 0x61, 0x5C, 0x6E, 0xC3, 0x22],
    ] as [[UInt8]])
    func invalidUTF8InStringIsRejected(bytes: [UInt8]) {
        #expect(throws: JSONParser.Error.self) { try parse(bytes) }
    }

    @Test(arguments: [[0xFF], [0xEF, 0xBB, 0xBF, 0x7B, 0x7D], [0x5B, 0xC3, 0xA9, 0x5D]] as [[UInt8]])
    func nonASCIIOutsideStringIsRejected(bytes: [UInt8]) {
        #expect(throws: JSONParser.Error.self) { try parse(bytes) }
    }

    @Test func multibyteUTF8InStringIsDecoded() throws {
        #expect(try parse("\"é€😀\"") == .string("é€😀"))
    }

    @Test(arguments: [#""\uD800""#, #""\uDBFF""#, #""\uDC00""#, #""\uDFFF""#, #""\uD800\u0041""#,
                      #""\uD800x""#, #""\uD800\uD800""#, #""\uDC00\uD800""#, #""\uD800\n""#])
    func loneSurrogateEscapeIsRejected(text: String) {
        #expect(throws: JSONParser.Error.self) { try parse(text) }
    }

    @Test func surrogatePairDecodesToOneScalar() throws {
        #expect(try parse(#""\uD83D\uDE00""#) == .string("😀"))
        #expect(try parse(#""\ud83d\ude00""#) == .string("😀"))
    }

    @Test func escapesDecode() throws {
        let value = try parse(#""\"\\\/\b\f\n\r\t\u0041\u00e9\u20AC\u0000""#)
        #expect(value == .string("\"\\/\u{08}\u{0C}\n\r\tAé€\u{00}"))
    }

    @Test(arguments: [#""\x41""#, #""\'""#, #""\U0041""#, #""\u12""#, #""\u12G4""#, #""\"#, #""\u"#, #""abc"#])
    func malformedEscapeOrUnterminatedStringIsRejected(text: String) {
        #expect(throws: JSONParser.Error.self) { try parse(text) }
    }

    @Test(arguments: ["{} {}", "1 2", "truex", "null,", #""a"b"#, "[]]", "{}}", "1 /* comment */"])
    func trailingDataIsRejected(text: String) {
        #expect(throws: JSONParser.Error.self) { try parse(text) }
    }

    @Test func trailingDataErrorPointsAtFirstExtraByte() {
        let error = #expect(throws: JSONParser.Error.self) { try parse("[1]  x") }
        #expect(error?.offset == 5)
    }

    @Test(arguments: [
        "", " ", "[1,]", "[,1]", #"{"a":1,}"#, #"{"a" 1}"#, "{a:1}", "{'a':1}", "['a']", "[1 2]",
        #"{"a":1 "b":2}"#, "tru", "nul", "True", "[", "{", #"{"a":"#, "]",
    ])
    func malformedStructureIsRejected(text: String) {
        #expect(throws: JSONParser.Error.self) { try parse(text) }
    }

    @Test func errorDescriptionNamesOffset() {
        let error = #expect(throws: JSONParser.Error.self) { try parse("[1,]") }
        #expect(error?.description.hasPrefix("invalid JSON at byte 3:") == true)
    }

    @Test(arguments: [
        (#""\x41""#, 1),
        (#""ab\q""#, 3),
        (#""\u12G4""#, 5),
        (#""\uD800x""#, 1),
        (#""\uDC00""#, 1),
        (#""ab\uD800\u0041""#, 3),
    ])
    func escapeErrorPointsAtFaultyEscape(text: String, offset: Int) {
        let error = #expect(throws: JSONParser.Error.self) { try parse(text) }
        #expect(error?.offset == offset)
    }

    @Test(arguments: [#""\"#, #""\u12"#, #""\u"#])
    func errorAtEndOfInputPointsAtEnd(text: String) {
        let error = #expect(throws: JSONParser.Error.self) { try parse(text) }
        #expect(error?.offset == text.utf8.count)
    }
}
