import PolicyModel
import Testing

struct TrustedProxiesTests {
    @Test func documentParsesAllFields() throws {
        let proxies = try TrustedProxies(json: json(#"""
            {"behind_proxy": true, "trust_all": false, "proxies": ["10.0.0.2", "10.0.0.1", "172.16.0.0/12"]}
            """#))
        #expect(proxies.isBehindProxy)
        #expect(!proxies.trustsAll)
        #expect(proxies.proxies.map(\.description) == ["10.0.0.1/32", "10.0.0.2/32", "172.16.0.0/12"])
    }

    @Test func emptyDocumentTrustsNoProxy() throws {
        let proxies = try TrustedProxies(json: json("{}"))
        #expect(proxies == TrustedProxies())
        #expect(!proxies.isBehindProxy)
        #expect(!proxies.trustsAll)
        #expect(proxies.proxies.isEmpty)
    }

    @Test func trustAllAsStringIsRejected() {
        let failure = #expect(throws: ValidationFailure.self) {
            try TrustedProxies(json: json(#"{"behind_proxy": true, "trust_all": "False"}"#))
        }
        #expect(pointers(failure) == ["/trust_all"])
        #expect(failure?.errors.first?.value == #""False""#)
        #expect(failure?.errors.first?.detail.contains("found string") == true)
    }

    @Test(arguments: [#""true""#, #""1""#, "1", "0", "null", "[]", "{}", #""yes""#])
    func booleanFieldAcceptsOnlyJSONBoolean(literal: String) {
        let failure = #expect(throws: ValidationFailure.self) {
            try TrustedProxies(json: json(#"{"behind_proxy": \#(literal)}"#))
        }
        #expect(pointers(failure) == ["/behind_proxy"])
        #expect(failure?.errors.first?.value == literal)
    }

    @Test func badProxyEntriesArePointedAtByIndex() {
        let failure = #expect(throws: ValidationFailure.self) {
            try TrustedProxies(json: json(#"{"proxies": ["10.0.0.1", "10.0.0.1/8", "proxy.internal"]}"#))
        }
        #expect(pointers(failure) == ["/proxies/1", "/proxies/2"])
    }

    @Test func everyErrorIsCollected() {
        let failure = #expect(throws: ValidationFailure.self) {
            try TrustedProxies(json: json(#"{"behind_proxy": "yes", "trust_all": 0, "proxies": ["x"], "real_ip_header": "X-Real-IP"}"#))
        }
        #expect(pointers(failure) == ["/behind_proxy", "/trust_all", "/proxies/0", "/real_ip_header"])
    }

    @Test func jsonParsesToSameProxies() throws {
        let proxies = TrustedProxies(isBehindProxy: true, trustsAll: true,
                                     proxies: [try block("10.0.0.2"), try block("10.0.0.1"), try block("10.0.0.2")])
        #expect(try TrustedProxies(json: proxies.json) == proxies)
        #expect(proxies.json.encodedString
            == #"{"behind_proxy":true,"trust_all":true,"proxies":["10.0.0.1/32","10.0.0.2/32"]}"#)
    }
}
