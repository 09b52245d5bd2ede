/// Whether the app marks its cookies Secure.
public struct CookiePolicy: Equatable, Sendable {
    public enum Setting: Equatable, Sendable {
        /// On unless the app runs in debug or test mode.
        case auto
        case on
        case off
    }

    public enum AppMode: String, Equatable, Sendable, CaseIterable {
        case production
        case debug
        case test
    }

    public var secure: Setting
    public var appMode: AppMode

    public init(secure: Setting = .auto, appMode: AppMode = .production) {
        self.secure = secure
        self.appMode = appMode
    }

    /// The value the app should apply.
    public var isSecureEffective: Bool {
        switch secure {
        case .on: true
        case .off: false
        case .auto: appMode == .production
        }
    }

    /// Advice for operators; a policy with warnings is still valid.
    public var warnings: [String] {
        guard appMode == .production, !isSecureEffective else { return [] }
        return ["cookies are not marked Secure in production, so browsers send session cookies over plain HTTP; "
            + "set \"secure\" to \"auto\" or true unless the app is only ever reached over HTTPS-terminating loopback"]
    }
}

extension CookiePolicy {
    public init(json: JSONValue, at pointer: String = "") throws(ValidationFailure) {
        var reader = ObjectReader(json, at: pointer)
        var secure = Setting.auto
        var appMode = AppMode.production

        if let (value, fieldPointer) = reader.optional("secure") {
            switch value {
            case .string("auto"): secure = .auto
            case .bool(true): secure = .on
            case .bool(false): secure = .off
            default:
                reader.record(FieldError(pointer: fieldPointer, value: value.encodedString,
                                         detail: "expected \"auto\", true or false"))
            }
        }
        if let (value, fieldPointer) = reader.optional("app_mode") {
            if case let .string(text) = value, let mode = AppMode(rawValue: text) {
                appMode = mode
            } else {
                reader.record(FieldError(pointer: fieldPointer, value: value.encodedString,
                                         detail: "expected \"production\", \"debug\" or \"test\""))
            }
        }
        reader.rejectUnknownMembers()
        guard reader.errors.isEmpty else { throw ValidationFailure(reader.errors) }
        self.init(secure: secure, appMode: appMode)
    }

    /// The stored and configured form: the setting as given, without derived values.
    public var json: JSONValue {
        let setting: JSONValue = switch secure {
        case .auto: .string("auto")
        case .on: .bool(true)
        case .off: .bool(false)
        }
        return .object([("secure", setting), ("app_mode", .string(appMode.rawValue))])
    }
}
