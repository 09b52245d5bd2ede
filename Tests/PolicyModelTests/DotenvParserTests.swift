import PolicyModel
import Testing

struct DotenvParserTests {
    private func values(_ text: String) throws -> [String: String] {
        Dictionary(uniqueKeysWithValues: try DotenvParser.parse(text).map { ($0.key, $0.value) })
    }

    @Test func assignmentsKeepFileOrderAndLineNumbers() throws {
        let entries = try DotenvParser.parse("B=2\nA=1\n")
        #expect(entries.map(\.key) == ["B", "A"])
        #expect(entries.map(\.value) == ["2", "1"])
        #expect(entries.map(\.line) == [1, 2])
    }

    @Test func commentsAndBlankLinesAreSkipped() throws {
        let entries = try DotenvParser.parse("# settings\n\n   \nA=1\n  # indented comment\n\tB=2")
        #expect(entries.map(\.key) == ["A", "B"])
        #expect(entries.map(\.line) == [4, 6])
    }

    @Test(arguments: ["export A=1", "export\tA=1", "  export   A=1", "A=1", "A = 1", "A\t=\t1", "A=1   "])
    func prefixAndBlanksAroundAssignmentAreIgnored(line: String) throws {
        #expect(try values(line) == ["A": "1"])
    }

    @Test func exportWithoutBlankIsPartOfName() throws {
        #expect(try values("exportA=1") == ["exportA": "1"])
    }

    @Test(arguments: [
        ("A=", ""),
        ("A=  ", ""),
        ("A=value with spaces", "value with spaces"),
        ("A=1 # comment", "1"),
        ("A=1\t# comment", "1"),
        ("A=1#not-a-comment", "1#not-a-comment"),
        ("A=a=b", "a=b"),
        ("A=it's", "it's"),
        ("A=x\"y", "x\"y"),
    ])
    func unquotedValueIsTakenToComment(line: String, value: String) throws {
        #expect(try values(line) == ["A": value])
    }

    @Test(arguments: [
        ("A='x # y'", "x # y"),
        ("A='a\\nb'", "a\\nb"),
        ("A='say \"hi\"'", "say \"hi\""),
        ("A=''", ""),
        ("A='x' # comment", "x"),
        ("A='x'#comment", "x"),
    ])
    func singleQuotedValueIsLiteral(line: String, value: String) throws {
        #expect(try values(line) == ["A": value])
    }

    @Test(arguments: [
        (#"A="x # y""#, "x # y"),
        (#"A="a\nb\tc""#, "a\nb\tc"),
        (#"A="say \"hi\"""#, "say \"hi\""),
        (#"A="back\\slash""#, "back\\slash"),
        (#"A="\$HOME""#, "$HOME"),
        (#"A="it's""#, "it's"),
        (#"A="""#, ""),
        (#"A="x"   # comment"#, "x"),
    ])
    func doubleQuotedValueDecodesEscapes(line: String, value: String) throws {
        #expect(try values(line) == ["A": value])
    }

    @Test func crlfLineEndingsAreAccepted() throws {
        let entries = try DotenvParser.parse("# comment\r\nA=1\r\n\r\nB=\"two\"\r\nC='three' # note\r\nD=4 # x\r\n")
        #expect(entries.map(\.key) == ["A", "B", "C", "D"])
        #expect(entries.map(\.value) == ["1", "two", "three", "4"])
        #expect(entries.map(\.line) == [2, 4, 5, 6])
    }

    @Test func mixedLineEndingsCountLinesAlike() throws {
        let entries = try DotenvParser.parse("A=1\nB=2\r\nC=3")
        #expect(entries.map(\.line) == [1, 2, 3])
        #expect(entries.map(\.value) == ["1", "2", "3"])
    }

    @Test func duplicateKeyIsRejectedNamingBothLines() {
        let failure = #expect(throws: ValidationFailure.self) { try DotenvParser.parse("A=1\nB=2\nA=1\n") }
        #expect(failure?.errors.count == 1)
        #expect(failure?.errors.first?.line == 3)
        #expect(failure?.errors.first?.key == "A")
        #expect(failure?.errors.first?.detail.contains("line 1") == true)
    }

    @Test(arguments: [#"A="abc"#, "A='abc", #"A="abc\"#, #"A="abc\""#, "A=\"first\nline\"", "A='first\nline'"])
    func unterminatedQuoteIsRejected(text: String) {
        let failure = #expect(throws: ValidationFailure.self) { try DotenvParser.parse(text) }
        #expect(failure?.errors.first?.line == 1)
        #expect(failure?.errors.first?.key == "A")
    }

    @Test(arguments: [#"A="x"y"#, "A='x' y", #"A="x""y""#])
    func textAfterClosingQuoteIsRejected(line: String) {
        #expect(throws: ValidationFailure.self) { try DotenvParser.parse(line) }
    }

    @Test(arguments: [#"A="\q""#, #"A="\r""#, #"A="\'""#])
    func unknownEscapeIsRejected(line: String) {
        #expect(throws: ValidationFailure.self) { try DotenvParser.parse(line) }
    }

    @Test(arguments: ["just text", "=value", "1A=x", "A-B=1", "A.B=1", "A B=1", "export =1", "ÄB=1"])
    func lineThatIsNotAssignmentIsRejected(line: String) {
        let failure = #expect(throws: ValidationFailure.self) { try DotenvParser.parse(line) }
        #expect(failure?.errors.first?.line == 1)
    }

    @Test func everyBadLineIsReported() {
        let failure = #expect(throws: ValidationFailure.self) {
            try DotenvParser.parse("bad line\nA=\"open\nB=1\nB=2\nC=ok\n")
        }
        #expect(failure?.errors.map(\.line) == [1, 2, 4])
    }

    @Test func emptyTextHasNoEntries() throws {
        #expect(try DotenvParser.parse("").isEmpty)
        #expect(try DotenvParser.parse("\n\n# only comments\n").isEmpty)
    }
}
