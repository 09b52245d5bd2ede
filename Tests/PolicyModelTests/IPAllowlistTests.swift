import PolicyModel
import Testing

struct IPAllowlistTests {
    @Test func documentParsesBlocksAndPaths() throws {
        let allowlist = try IPAllowlist(json: json(#"{"blocks": ["10.0.0.0/8", "2001:db8::1"], "exempt_paths": ["/capture"]}"#))
        #expect(allowlist.blocks == [try block("10.0.0.0/8"), try block("2001:db8::1/128")])
        #expect(allowlist.exemptPaths == ["/capture"])
        #expect(allowlist.isActive)
    }

    @Test func emptyDocumentAllowsEveryone() throws {
        let allowlist = try IPAllowlist(json: json("{}"))
        #expect(allowlist == IPAllowlist())
        #expect(!allowlist.isActive)
    }

    @Test func blocksAreSortedAndDeduplicated() throws {
        let allowlist = try IPAllowlist(json: json(#"""
            {"blocks": ["192.0.2.1", "10.0.0.0/8", "::1", "10.0.0.0/8", "::ffff:10.0.0.0/104", "192.0.2.1/32"]}
            """#))
        #expect(allowlist.blocks.map(\.description) == ["10.0.0.0/8", "192.0.2.1/32", "::1/128"])
    }

    @Test func sameSetInAnyOrderComparesEqual() throws {
        let first = try IPAllowlist(json: json(#"{"blocks": ["10.0.0.0/8", "192.0.2.0/24"], "exempt_paths": ["/e", "/batch"]}"#))
        let second = try IPAllowlist(json: json(#"""
            {"exempt_paths": ["/batch", "/e", "/batch"], "blocks": ["192.0.2.0/24", "::ffff:10.0.0.0/104"]}
            """#))
        #expect(first == second)
        #expect(first.json == second.json)
    }

    @Test func jsonParsesToSameAllowlist() throws {
        let allowlist = IPAllowlist(blocks: [try block("2001:db8::/32"), try block("10.0.0.0/8")],
                                    exemptPaths: ["/capture", "/_health"])
        #expect(try IPAllowlist(json: allowlist.json) == allowlist)
        #expect(allowlist.json.encodedString
            == #"{"blocks":["10.0.0.0/8","2001:db8::/32"],"exempt_paths":["/_health","/capture"]}"#)
    }

    @Test func unknownFieldIsRejectedWithPointer() {
        let failure = #expect(throws: ValidationFailure.self) {
            try IPAllowlist(json: json(#"{"blocks": [], "allow": ["10.0.0.0/8"]}"#))
        }
        #expect(pointers(failure) == ["/allow"])
        #expect(failure?.errors.first?.detail.contains("unknown field \"allow\"") == true)
    }

    @Test func unknownFieldPointerEscapesSlashAndTilde() {
        let failure = #expect(throws: ValidationFailure.self) { try IPAllowlist(json: json(#"{"a/b~c": 1}"#)) }
        #expect(pointers(failure) == ["/a~1b~0c"])
    }

    @Test func badEntriesArePointedAtByIndex() {
        let failure = #expect(throws: ValidationFailure.self) {
            try IPAllowlist(json: json(#"{"blocks": ["10.0.0.0/8", "192.168.0.1/24", "127.1", 7]}"#))
        }
        #expect(pointers(failure) == ["/blocks/1", "/blocks/2", "/blocks/3"])
        #expect(failure?.errors.map(\.value) == ["192.168.0.1/24", "127.1", "7"])
        #expect(failure?.errors.first?.detail.contains("192.168.0.0/24") == true)
    }

    @Test(arguments: [
        (#"{"blocks": "10.0.0.0/8"}"#, "/blocks"),
        (#"{"blocks": null}"#, "/blocks"),
        (#"{"blocks": {"0": "10.0.0.0/8"}}"#, "/blocks"),
        (#"{"exempt_paths": "/capture"}"#, "/exempt_paths"),
        (#"{"blocks": [["10.0.0.0/8"]]}"#, "/blocks/0"),
        (#"{"exempt_paths": [true]}"#, "/exempt_paths/0"),
        (#"[]"#, ""),
        (#""10.0.0.0/8""#, ""),
    ])
    func wrongTypeIsRejectedWithPointer(document: String, pointer: String) {
        let failure = #expect(throws: ValidationFailure.self) { try IPAllowlist(json: json(document)) }
        #expect(pointers(failure) == [pointer])
    }

    @Test func everyErrorIsCollected() {
        let failure = #expect(throws: ValidationFailure.self) {
            try IPAllowlist(json: json(#"""
                {"blocks": ["x", "10.0.0.0/33"], "exempt_paths": ["capture", "/batch/"], "extra": 1, "more": 2}
                """#))
        }
        #expect(pointers(failure) == ["/blocks/0", "/blocks/1", "/exempt_paths/0", "/exempt_paths/1", "/extra", "/more"])
    }

    @Test func pointerStartsAtGivenLocation() {
        let failure = #expect(throws: ValidationFailure.self) {
            try IPAllowlist(json: json(#"{"blocks": ["x"]}"#), at: "/ip_allowlist")
        }
        #expect(pointers(failure) == ["/ip_allowlist/blocks/0"])
    }

    @Test func tooManyEntriesAreRejected() {
        let entries = Array(repeating: JSONValue.string("10.0.0.1"), count: IPAllowlist.maxEntries + 1)
        let failure = #expect(throws: ValidationFailure.self) {
            try IPAllowlist(json: .object([("blocks", .array(entries))]))
        }
        #expect(pointers(failure) == ["/blocks"])
    }

    @Test func maxEntriesAreAccepted() throws {
        let entries = Array(repeating: JSONValue.string("10.0.0.1"), count: IPAllowlist.maxEntries)
        let allowlist = try IPAllowlist(json: .object([("blocks", .array(entries))]))
        #expect(allowlist.blocks == [try block("10.0.0.1")])
    }
}
