import PolicyModel
import Testing

struct JSONWriterTests {
    @Test func writerIsCompactAndKeepsMemberOrder() {
        let value = JSONValue.object([
            ("b", .integer(1)),
            ("a", .array([.null, .bool(true), .bool(false), .string("x")])),
            ("c", .object([])),
        ])
        #expect(value.encodedString == #"{"b":1,"a":[null,true,false,"x"],"c":{}}"#)
    }

    @Test(arguments: [
        ("\"", #""\"""#),
        ("\\", #""\\""#),
        ("/", #""/""#),
        ("\n\r\t", #""\n\r\t""#),
        ("\u{00}\u{01}\u{1F}", #""\u0000\u0001\u001f""#),
        ("\u{08}\u{0C}", #""\u0008\u000c""#),
        ("\u{7F}", #""\u007f""#),
        ("é€😀", "\"é€😀\""),
    ])
    func stringIsEscaped(text: String, encoded: String) {
        #expect(JSONValue.string(text).encodedString == encoded)
    }

    @Test func memberNameIsEscaped() {
        #expect(JSONValue.object([("a\"b\n", .null)]).encodedString == #"{"a\"b\n":null}"#)
    }

    @Test(arguments: [
        JSONValue.null,
        .bool(true),
        .number("-12.5e+3"),
        .string("control \u{00}\u{1F}\u{7F} quote \" backslash \\ slash / emoji 😀 combining e\u{301}"),
        .string("\r\n"),
        .array([.array([.array([])]), .object([])]),
        .object([("z", .integer(1)), ("", .string("")), ("a", .object([("nested", .array([.bool(false)]))]))]),
    ])
    func encodedValueParsesToSameValue(value: JSONValue) throws {
        #expect(try JSONParser.parse(value.encoded()) == value)
    }

    @Test func reencodingParsedDocumentIsStable() throws {
        let text = #"{ "b" : [1, 2.50, "\u00e9\/"], "a" : { "c" : null } }"#
        let once = try json(text).encoded()
        let twice = try JSONParser.parse(once).encoded()
        #expect(once == twice)
        #expect(String(decoding: once, as: UTF8.self) == #"{"b":[1,2.50,"é/"],"a":{"c":null}}"#)
    }

    @Test func integerIsWrittenInDecimal() {
        #expect(JSONValue.integer(-42).encodedString == "-42")
        #expect(JSONValue.integer(Int.max).encodedString == "9223372036854775807")
    }
}
