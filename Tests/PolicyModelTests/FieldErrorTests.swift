import PolicyModel
import Testing

struct FieldErrorTests {
    @Test(arguments: [
        (FieldError(pointer: "/blocks/1", value: "x", detail: "bad"), "/blocks/1: bad"),
        (FieldError(pointer: "", detail: "expected a JSON object, found array"),
         "document: expected a JSON object, found array"),
        (FieldError(line: 2, key: "TRUST_ALL_PROXIES", value: "maybe", detail: "bad"), "line 2, TRUST_ALL_PROXIES: bad"),
        (FieldError(line: 3, detail: "expected KEY=value"), "line 3: expected KEY=value"),
        (FieldError(key: "DEBUG", detail: "bad"), "DEBUG: bad"),
        (FieldError(detail: "bad"), "input: bad"),
    ])
    func descriptionNamesLocation(error: FieldError, description: String) {
        #expect(error.description == description)
    }

    @Test func failureDescriptionJoinsErrors() {
        let failure = ValidationFailure([FieldError(pointer: "/a", detail: "one"), FieldError(pointer: "/b", detail: "two")])
        #expect(failure.description == "/a: one; /b: two")
    }

    @Test(arguments: [("a/b", "/a~1b"), ("~1", "/~01"), ("", "/"), ("é", "/é")])
    func pointerTokenIsEscaped(token: String, pointer: String) {
        #expect(JSONPointer.appending(token, to: "") == pointer)
    }
}
