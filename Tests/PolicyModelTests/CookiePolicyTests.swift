import PolicyModel
import Testing

struct CookiePolicyTests {
    @Test(arguments: [
        (#""auto""#, CookiePolicy.Setting.auto),
        ("true", .on),
        ("false", .off),
    ])
    func secureAcceptsAutoTrueFalse(literal: String, setting: CookiePolicy.Setting) throws {
        let policy = try CookiePolicy(json: json(#"{"secure": \#(literal)}"#))
        #expect(policy.secure == setting)
    }

    @Test(arguments: [#""true""#, #""false""#, #""Auto""#, #""on""#, #""yes""#, "1", "0", "null", "[]"])
    func secureRejectsOtherValues(literal: String) {
        let failure = #expect(throws: ValidationFailure.self) { try CookiePolicy(json: json(#"{"secure": \#(literal)}"#)) }
        #expect(pointers(failure) == ["/secure"])
        #expect(failure?.errors.first?.value == literal)
    }

    @Test(arguments: CookiePolicy.AppMode.allCases)
    func appModeAcceptsItsName(mode: CookiePolicy.AppMode) throws {
        #expect(try CookiePolicy(json: json(#"{"app_mode": "\#(mode.rawValue)"}"#)).appMode == mode)
    }

    @Test(arguments: [#""Production""#, #""dev""#, #""""#, "true"])
    func appModeRejectsOtherValues(literal: String) {
        let failure = #expect(throws: ValidationFailure.self) { try CookiePolicy(json: json(#"{"app_mode": \#(literal)}"#)) }
        #expect(pointers(failure) == ["/app_mode"])
    }

    @Test func emptyDocumentIsAutoInProduction() throws {
        let policy = try CookiePolicy(json: json("{}"))
        #expect(policy == CookiePolicy(secure: .auto, appMode: .production))
        #expect(policy.isSecureEffective)
    }

    @Test(arguments: [
        (CookiePolicy.Setting.auto, CookiePolicy.AppMode.production, true),
        (.auto, .debug, false),
        (.auto, .test, false),
        (.on, .production, true),
        (.on, .debug, true),
        (.on, .test, true),
        (.off, .production, false),
        (.off, .debug, false),
        (.off, .test, false),
    ])
    func effectiveValueFollowsSettingAndMode(setting: CookiePolicy.Setting, mode: CookiePolicy.AppMode, isSecure: Bool) {
        #expect(CookiePolicy(secure: setting, appMode: mode).isSecureEffective == isSecure)
    }

    @Test func insecureCookiesInProductionWarn() {
        let warnings = CookiePolicy(secure: .off, appMode: .production).warnings
        #expect(warnings.count == 1)
        #expect(warnings.first?.contains("Secure") == true)
    }

    @Test(arguments: [
        (CookiePolicy.Setting.auto, CookiePolicy.AppMode.production),
        (.on, .production),
        (.off, .debug),
        (.off, .test),
        (.auto, .debug),
    ])
    func otherCombinationsDoNotWarn(setting: CookiePolicy.Setting, mode: CookiePolicy.AppMode) {
        #expect(CookiePolicy(secure: setting, appMode: mode).warnings.isEmpty)
    }

    @Test func unknownFieldIsRejected() {
        let failure = #expect(throws: ValidationFailure.self) {
            try CookiePolicy(json: json(#"{"secure": true, "samesite": "lax", "app_mode": "prod"}"#))
        }
        #expect(pointers(failure) == ["/app_mode", "/samesite"])
    }

    @Test(arguments: [
        CookiePolicy(secure: .auto, appMode: .production),
        CookiePolicy(secure: .on, appMode: .debug),
        CookiePolicy(secure: .off, appMode: .test),
    ])
    func jsonParsesToSamePolicy(policy: CookiePolicy) throws {
        #expect(try CookiePolicy(json: policy.json) == policy)
    }

    @Test func jsonKeepsSettingNotEffectiveValue() {
        #expect(CookiePolicy(secure: .auto, appMode: .debug).json.encodedString == #"{"secure":"auto","app_mode":"debug"}"#)
    }
}
