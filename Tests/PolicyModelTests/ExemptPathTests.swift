import PolicyModel
import Testing

struct ExemptPathTests {
    @Test(arguments: ["/", "/capture", "/batch", "/e", "/_health", "/api/v1/events", "/a-b.c~d", "/.well-known",
                      "/decide:x@y", "/a!$&'()*+,;=b"])
    func normalizedPathIsAccepted(path: String) throws {
        #expect(try PolicyFields.exemptPath(path) == path)
    }

    @Test(arguments: [
        ("/capture/", "/capture"),
        ("//capture", "/capture"),
        ("/./capture", "/capture"),
        ("/capture/.", "/capture"),
        ("/capture//x", "/capture/x"),
        ("/a/../capture", "/capture"),
        ("/..", "/"),
        ("//", "/"),
    ])
    func unnormalizedPathIsRejectedNamingNormalForm(path: String, normalized: String) {
        let error = #expect(throws: FieldError.self) { try PolicyFields.exemptPath(path) }
        #expect(error?.value == path)
        #expect(error?.detail.hasSuffix("write \(normalized)") == true)
    }

    @Test(arguments: ["capture", "capture/", "*", "./capture", "https://app.example/capture"])
    func relativePathIsRejected(path: String) {
        let error = #expect(throws: FieldError.self) { try PolicyFields.exemptPath(path) }
        #expect(error?.detail.contains("start with \"/\"") == true)
    }

    @Test func emptyPathIsRejected() {
        #expect(throws: FieldError.self) { try PolicyFields.exemptPath("") }
    }

    @Test(arguments: ["/capture?x=1", "/capture#top", "/cap%74ure", "/cap ture", "/café", "/a\\b", "/a\"b",
                      "/a\u{7F}", "/a\tb", "/<script>"])
    func characterOutsidePathSyntaxIsRejected(path: String) {
        #expect(throws: FieldError.self) { try PolicyFields.exemptPath(path) }
    }

    @Test func pathLengthIsLimited() throws {
        let longest = "/" + String(repeating: "a", count: PolicyFields.maxPathBytes - 1)
        #expect(try PolicyFields.exemptPath(longest) == longest)
        #expect(throws: FieldError.self) { try PolicyFields.exemptPath(longest + "a") }
    }

    @Test(arguments: [
        ("/", "/"),
        ("", "/"),
        ("/a/b/", "/a/b"),
        ("/a/./b", "/a/b"),
        ("/a/b/../c", "/a/c"),
        ("/../../a", "/a"),
        ("///a///b", "/a/b"),
        ("/a/...", "/a/..."),
    ])
    func normalizeRemovesDotAndEmptySegments(path: String, normalized: String) {
        #expect(PolicyFields.normalize(path) == normalized)
    }
}
