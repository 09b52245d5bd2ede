import PolicyModel
import Testing

struct DotenvImportTests {
    private func importing(_ text: String, into policy: Policy = Policy()) throws -> DotenvImport.Outcome {
        try DotenvImport.apply(DotenvParser.parse(text), to: policy)
    }

    /// The allowlist example from PostHog's "Securing PostHog" page, with two addresses for its `ip1,ip2`.
    @Test func postHogExampleGivesExpectedPolicy() throws {
        let outcome = try importing("""
            ALLOWED_IP_BLOCKS=192.168.0.0/31,127.0.0.0/25,128.0.0.1
            TRUSTED_PROXIES=10.0.0.1,10.0.0.2
            IS_BEHIND_PROXY=True
            """)
        let policy = outcome.policy
        #expect(policy.ipAllowlist.blocks.map(\.description) == ["127.0.0.0/25", "128.0.0.1/32", "192.168.0.0/31"])
        #expect(policy.trustedProxies.proxies.map(\.description) == ["10.0.0.1/32", "10.0.0.2/32"])
        #expect(policy.trustedProxies.isBehindProxy)
        #expect(!policy.trustedProxies.trustsAll)
        #expect(policy.cookies == CookiePolicy())
        #expect(outcome.applied == ["ALLOWED_IP_BLOCKS", "TRUSTED_PROXIES", "IS_BEHIND_PROXY"])
        #expect(outcome.ignored.isEmpty)
    }

    @Test(arguments: [
        ("true", true), ("True", true), ("TRUE", true), ("1", true), ("yes", true), ("Yes", true), ("on", true), ("ON", true),
        ("false", false), ("False", false), ("FALSE", false), ("0", false), ("no", false), ("NO", false), ("off", false),
        ("Off", false),
    ])
    func booleanSpellingIsAcceptedInAnyCase(text: String, value: Bool) throws {
        let outcome = try importing("IS_BEHIND_PROXY=\(text)\nTRUST_ALL_PROXIES=\(text)")
        #expect(outcome.policy.trustedProxies.isBehindProxy == value)
        #expect(outcome.policy.trustedProxies.trustsAll == value)
    }

    @Test func undecidableBooleanIsRejected() {
        let failure = #expect(throws: ValidationFailure.self) { try importing("IS_BEHIND_PROXY=1\nTRUST_ALL_PROXIES=maybe") }
        #expect(failure?.errors.count == 1)
        let error = failure?.errors.first
        #expect(error?.line == 2)
        #expect(error?.key == "TRUST_ALL_PROXIES")
        #expect(error?.value == "maybe")
        #expect(error?.detail.contains("yes, no") == true)
    }

    @Test(arguments: ["maybe", "", "2", "y", "n", "t", "f", "enabled", " true", "true ", "tru"])
    func otherBooleanTextIsRejected(text: String) {
        #expect(StrictBoolean.parse(text) == nil)
    }

    @Test func unknownKeysAreListedAsIgnored() throws {
        let outcome = try importing("SECRET_KEY=abc\nDEBUG=0\nDATABASE_URL=postgres://db\nallowed_ip_blocks=10.0.0.0/8")
        #expect(outcome.ignored == ["SECRET_KEY", "DATABASE_URL", "allowed_ip_blocks"])
        #expect(outcome.applied == ["DEBUG"])
        #expect(outcome.policy.ipAllowlist == IPAllowlist())
    }

    @Test(arguments: [
        ("DEBUG=1", CookiePolicy.AppMode.debug),
        ("TEST=1", .test),
        ("DEBUG=1\nTEST=1", .test),
        ("TEST=true\nDEBUG=true", .test),
        ("DEBUG=1\nTEST=0", .debug),
        ("DEBUG=0", .production),
        ("DEBUG=0\nTEST=0", .production),
    ])
    func debugAndTestSetAppMode(text: String, mode: CookiePolicy.AppMode) throws {
        let start = Policy(cookies: CookiePolicy(appMode: .test))
        #expect(try importing(text, into: start).policy.cookies.appMode == mode)
    }

    @Test func appModeIsKeptWithoutDebugOrTest() throws {
        let start = Policy(cookies: CookiePolicy(appMode: .debug))
        #expect(try importing("IS_BEHIND_PROXY=1", into: start).policy.cookies.appMode == .debug)
    }

    @Test(arguments: [("SECURE_COOKIES=True", CookiePolicy.Setting.on), ("SECURE_COOKIES=off", .off)])
    func secureCookiesSetsSetting(text: String, setting: CookiePolicy.Setting) throws {
        #expect(try importing(text).policy.cookies.secure == setting)
    }

    @Test func sectionsWithoutKeysAreKept() throws {
        let start = Policy(
            ipAllowlist: IPAllowlist(blocks: [try block("10.0.0.0/8")], exemptPaths: ["/capture"]),
            trustedProxies: TrustedProxies(isBehindProxy: true, trustsAll: true, proxies: [try block("10.0.0.1")]))
        let policy = try importing("SECURE_COOKIES=1", into: start).policy
        #expect(policy.ipAllowlist == start.ipAllowlist)
        #expect(policy.trustedProxies == start.trustedProxies)
    }

    @Test func allowedBlocksKeepExemptPaths() throws {
        let start = Policy(ipAllowlist: IPAllowlist(blocks: [try block("10.0.0.0/8")], exemptPaths: ["/capture"]))
        let policy = try importing("ALLOWED_IP_BLOCKS=192.0.2.0/24", into: start).policy
        #expect(policy.ipAllowlist == IPAllowlist(blocks: [try block("192.0.2.0/24")], exemptPaths: ["/capture"]))
    }

    @Test func trustedProxiesKeepFlags() throws {
        let start = Policy(trustedProxies: TrustedProxies(isBehindProxy: true, trustsAll: true))
        let proxies = try importing("TRUSTED_PROXIES=10.0.0.1", into: start).policy.trustedProxies
        #expect(proxies == TrustedProxies(isBehindProxy: true, trustsAll: true, proxies: [try block("10.0.0.1")]))
    }

    @Test(arguments: ["ALLOWED_IP_BLOCKS=", "ALLOWED_IP_BLOCKS=\"\"", "ALLOWED_IP_BLOCKS=  "])
    func emptyBlockListClearsAllowlist(text: String) throws {
        let start = Policy(ipAllowlist: IPAllowlist(blocks: [try block("10.0.0.0/8")]))
        #expect(try importing(text, into: start).policy.ipAllowlist.blocks.isEmpty)
    }

    @Test func blanksAroundListItemsAreIgnored() throws {
        let blocks = try importing("ALLOWED_IP_BLOCKS=\" 10.0.0.1 ,\t2001:db8::/32 \"").policy.ipAllowlist.blocks
        #expect(blocks.map(\.description) == ["10.0.0.1/32", "2001:db8::/32"])
    }

    @Test func badListEntryNamesLineKeyAndValue() {
        let failure = #expect(throws: ValidationFailure.self) {
            try importing("DEBUG=0\nALLOWED_IP_BLOCKS=10.0.0.1,192.168.0.1/24")
        }
        #expect(failure?.errors.count == 1)
        let error = failure?.errors.first
        #expect(error?.line == 2)
        #expect(error?.key == "ALLOWED_IP_BLOCKS")
        #expect(error?.value == "192.168.0.1/24")
        #expect(error?.pointer == nil)
        #expect(error?.detail.contains("192.168.0.0/24") == true)
    }

    @Test(arguments: ["10.0.0.1,", ",10.0.0.1", "10.0.0.1,,10.0.0.2", "10.0.0.1;10.0.0.2", "010.0.0.1"])
    func malformedListIsRejected(list: String) {
        #expect(throws: ValidationFailure.self) { try importing("TRUSTED_PROXIES=\(list)") }
    }

    @Test func everyErrorIsCollected() {
        let failure = #expect(throws: ValidationFailure.self) {
            try importing("ALLOWED_IP_BLOCKS=x,y\nTRUST_ALL_PROXIES=maybe\nDEBUG=sometimes\nTRUSTED_PROXIES=10.0.0.1")
        }
        #expect(failure?.errors.map(\.line) == [1, 1, 2, 3])
    }
}
