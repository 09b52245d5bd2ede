import ControlPlane
import Foundation
import PolicyModel

/// One setting: its environment variable, its flag, and the help line that documents both.
struct Option {
    let variable: String
    let flag: String
    let placeholder: String
    let help: String
}

enum Options {
    static let all = [
        Option(variable: "PERIMETER_LISTEN", flag: "--listen", placeholder: "HOST:PORT",
               help: "address to listen on; IPv6 in brackets, such as [::1]:8080 (default 127.0.0.1:8080)"),
        Option(variable: "PERIMETER_DB", flag: "--db", placeholder: "PATH",
               help: "SQLite database file, created when missing (default ./perimeter.db)"),
        Option(variable: "PERIMETER_MASTER_KEY", flag: "--master-key", placeholder: "HEX",
               help: "64 hex digits that seal secrets at rest; prefer the file form, since flags show in ps"),
        Option(variable: "PERIMETER_MASTER_KEY_FILE", flag: "--master-key-file", placeholder: "PATH",
               help: "file holding the master key (default perimeter.master-key beside the database, "
                   + "generated with mode 0600 on first start)"),
        Option(variable: "PERIMETER_ADMIN_TOKEN", flag: "--admin-token", placeholder: "TOKEN",
               help: "admin token to accept instead of generating one: 32 to 256 characters of A-Z, a-z, 0-9 and -._~+/="),
        Option(variable: "PERIMETER_BUNDLE_TTL", flag: "--bundle-ttl", placeholder: "DURATION",
               help: "lifetime of a bundle, such as 7d, 12h, 30m or 90s; re-issued at half of it (default 7d)"),
        Option(variable: "PERIMETER_LOOPS", flag: "--loops", placeholder: "COUNT",
               help: "number of HTTP event loops (default: one per processor core)"),
        Option(variable: "PERIMETER_MAX_WAIT", flag: "--max-wait", placeholder: "SECONDS",
               help: "maximum seconds a bundle poll may park with Prefer: wait=N (default 60)"),
        Option(variable: "PERIMETER_MAX_CONNECTIONS", flag: "--max-connections", placeholder: "COUNT",
               help: "open client connections; more are accepted and closed at once (default 10000)"),
        Option(variable: "PERIMETER_MAX_BODY_BYTES", flag: "--max-body-bytes", placeholder: "BYTES",
               help: "largest request body; larger ones get 413 (default 1048576)"),
        Option(variable: "PERIMETER_HEAD_TIMEOUT", flag: "--head-timeout", placeholder: "SECONDS",
               help: "time for a whole request head from its first byte; then 408 (default 10)"),
        Option(variable: "PERIMETER_BODY_TIMEOUT", flag: "--body-timeout", placeholder: "SECONDS",
               help: "time for a whole request body; then 408 (default 30)"),
        Option(variable: "PERIMETER_IDLE_TIMEOUT", flag: "--idle-timeout", placeholder: "SECONDS",
               help: "time a keep-alive connection may wait for its next request (default 60)"),
        Option(variable: "PERIMETER_WRITE_TIMEOUT", flag: "--write-timeout", placeholder: "SECONDS",
               help: "time a response may wait for a client that stopped reading (default 30)"),
        Option(variable: "PERIMETER_ALLOWED_IP_BLOCKS", flag: "--allowed-ip-blocks", placeholder: "CIDR,…",
               help: "clients allowed to reach Perimeter's own API; bundles, signing keys and /healthz stay open "
                   + "(default: every client)"),
        Option(variable: "PERIMETER_BEHIND_PROXY", flag: "--behind-proxy", placeholder: "BOOLEAN",
               help: "whether Perimeter's own clients come through proxies (default false)"),
        Option(variable: "PERIMETER_TRUSTED_PROXIES", flag: "--trusted-proxies", placeholder: "CIDR,…",
               help: "proxies whose X-Forwarded-For entries Perimeter believes for its own API"),
        Option(variable: "PERIMETER_TRUST_ALL_PROXIES", flag: "--trust-all-proxies", placeholder: "BOOLEAN",
               help: "believe every X-Forwarded-For hop for Perimeter's own API; spoofable unless the outermost "
                   + "proxy overwrites the header (default false)"),
        Option(variable: "PERIMETER_SIGNING_KEY_OVERLAP", flag: "--signing-key-overlap", placeholder: "DURATION",
               help: "how long a new signing key is announced before it signs, and signs beside the old key "
                   + "before the old one retires (default 24h)"),
        Option(variable: "PERIMETER_AGENT_STALE_AFTER", flag: "--agent-stale-after", placeholder: "DURATION",
               help: "time after its last status report when a poller counts as stale (default 5m)"),
        Option(variable: "PERIMETER_LOG_LEVEL", flag: "--log-level", placeholder: "LEVEL",
               help: "debug, info, warning or error; debug logs one line per request (default info)"),
    ]

    static var usage: String {
        var text = """
            Usage: perimeterd [options]
                   perimeterd rotate-master-key --new-key-file PATH [options]

            Serves Perimeter's control plane API. Every option can also be set by its environment
            variable; a flag wins over the variable. rotate-master-key re-seals every stored key under
            the key in PATH, in one transaction; stop the server before running it.

            Options:

            """
        for option in all {
            text += "  \(option.flag) \(option.placeholder)\n      \(option.variable): \(option.help)\n"
        }
        text += "  --help\n      show this text and exit\n"
        return text
    }

    /// Reads the environment, then the flags, into a configuration; a bad value names its variable.
    static func parse(arguments: [String], environment: [String: String]) throws -> ServiceConfiguration {
        var values: [String: String] = [:]
        for option in all {
            if let value = environment[option.variable] { values[option.variable] = value }
        }
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            let (flag, inlineValue) = splitFlag(argument)
            guard let option = all.first(where: { $0.flag == flag }) else {
                throw StartupError("unknown option \(argument); run perimeterd --help for the list")
            }
            if let inlineValue {
                values[option.variable] = inlineValue
            } else {
                guard index + 1 < arguments.count else {
                    throw StartupError("\(option.flag) needs a value (\(option.placeholder))")
                }
                index += 1
                values[option.variable] = arguments[index]
            }
            index += 1
        }
        return try configuration(from: values)
    }

    private static func splitFlag(_ argument: String) -> (String, String?) {
        guard let equals = argument.firstIndex(of: "=") else { return (argument, nil) }
        return (String(argument[..<equals]), String(argument[argument.index(after: equals)...]))
    }

    private static func configuration(from values: [String: String]) throws -> ServiceConfiguration {
        var configuration = ServiceConfiguration()
        configuration.loopCount = ProcessInfo.processInfo.activeProcessorCount
        if let listen = values["PERIMETER_LISTEN"] {
            (configuration.listenHost, configuration.listenPort) = try listenAddress(listen)
        }
        if let path = values["PERIMETER_DB"] {
            guard !path.isEmpty else { throw StartupError("PERIMETER_DB must not be empty") }
            configuration.databasePath = path
        }
        switch (values["PERIMETER_MASTER_KEY"], values["PERIMETER_MASTER_KEY_FILE"]) {
        case (.some, .some):
            throw StartupError("set PERIMETER_MASTER_KEY or PERIMETER_MASTER_KEY_FILE, not both")
        case let (.some(hex), nil):
            configuration.masterKey = .hex(hex)
        case let (nil, .some(path)):
            guard !path.isEmpty else { throw StartupError("PERIMETER_MASTER_KEY_FILE must not be empty") }
            configuration.masterKey = .file(path)
        case (nil, nil):
            break
        }
        configuration.adminToken = values["PERIMETER_ADMIN_TOKEN"]
        if let overlap = values["PERIMETER_SIGNING_KEY_OVERLAP"] {
            guard let seconds = Durations.seconds(overlap), seconds >= 1, seconds <= 366 * 86_400 else {
                throw StartupError("PERIMETER_SIGNING_KEY_OVERLAP must be a duration from 1s to 366d, such as 24h; "
                    + "got \"\(overlap)\"")
            }
            configuration.signingKeyOverlap = seconds
        }
        if let stale = values["PERIMETER_AGENT_STALE_AFTER"] {
            guard let seconds = Durations.seconds(stale), seconds >= 1, seconds <= 366 * 86_400 else {
                throw StartupError("PERIMETER_AGENT_STALE_AFTER must be a duration from 1s to 366d, such as 5m; "
                    + "got \"\(stale)\"")
            }
            configuration.agentStaleAfter = seconds
        }
        if let ttl = values["PERIMETER_BUNDLE_TTL"] {
            guard let seconds = Durations.seconds(ttl), seconds >= 10, seconds <= 366 * 86_400 else {
                throw StartupError("PERIMETER_BUNDLE_TTL must be a duration from 10s to 366d, such as 7d, 12h, 30m "
                    + "or 90s; got \"\(ttl)\"")
            }
            configuration.bundleTTL = seconds
        }
        func integer(_ variable: String, in range: ClosedRange<Int>) throws -> Int? {
            guard let text = values[variable] else { return nil }
            guard text.count <= 12, text.allSatisfy(\.isASCIIDigit), let value = Int(text), range.contains(value) else {
                throw StartupError("\(variable) must be a whole number from \(range.lowerBound) to \(range.upperBound); "
                    + "got \"\(text)\"")
            }
            return value
        }
        configuration.loopCount = try integer("PERIMETER_LOOPS", in: 1...256) ?? configuration.loopCount
        configuration.maxWait = try integer("PERIMETER_MAX_WAIT", in: 0...3_600) ?? configuration.maxWait
        configuration.maxConnections = try integer("PERIMETER_MAX_CONNECTIONS", in: 1...1_000_000)
            ?? configuration.maxConnections
        configuration.maxBodyBytes = try integer("PERIMETER_MAX_BODY_BYTES", in: 1_024...(64 << 20))
            ?? configuration.maxBodyBytes
        configuration.headTimeout = try integer("PERIMETER_HEAD_TIMEOUT", in: 1...3_600) ?? configuration.headTimeout
        configuration.bodyTimeout = try integer("PERIMETER_BODY_TIMEOUT", in: 1...3_600) ?? configuration.bodyTimeout
        configuration.idleTimeout = try integer("PERIMETER_IDLE_TIMEOUT", in: 1...3_600) ?? configuration.idleTimeout
        configuration.writeTimeout = try integer("PERIMETER_WRITE_TIMEOUT", in: 1...3_600) ?? configuration.writeTimeout
        func blocks(_ variable: String) throws -> [CIDRBlock] {
            guard let text = values[variable], !text.allSatisfy({ $0 == " " }) else { return [] }
            return try text.split(separator: ",", omittingEmptySubsequences: false).map { item in
                let entry = item.trimmingCharacters(in: .whitespaces)
                do {
                    return try CIDRBlock(parsing: entry)
                } catch {
                    throw StartupError("\(variable) has an invalid entry: \(error)")
                }
            }
        }
        func boolean(_ variable: String) throws -> Bool {
            guard let text = values[variable] else { return false }
            guard let value = StrictBoolean.parse(text) else {
                throw StartupError("\(variable) must be one of \(StrictBoolean.accepted.joined(separator: ", ")); "
                    + "got \"\(text)\"")
            }
            return value
        }
        configuration.ownAllowlist = try blocks("PERIMETER_ALLOWED_IP_BLOCKS")
        configuration.ownTrustedProxies = TrustedProxies(isBehindProxy: try boolean("PERIMETER_BEHIND_PROXY"),
                                                         trustsAll: try boolean("PERIMETER_TRUST_ALL_PROXIES"),
                                                         proxies: try blocks("PERIMETER_TRUSTED_PROXIES"))
        if let level = values["PERIMETER_LOG_LEVEL"] {
            guard let parsed = Logger.Level(name: level) else {
                throw StartupError("PERIMETER_LOG_LEVEL must be debug, info, warning or error; got \"\(level)\"")
            }
            configuration.logLevel = parsed
        }
        return configuration
    }

    /// `host:port` with an IP literal host; IPv6 goes in brackets.
    static func listenAddress(_ text: String) throws -> (String, UInt16) {
        let invalid = StartupError("PERIMETER_LISTEN must be HOST:PORT with an IP address, such as 127.0.0.1:8080 "
            + "or [::1]:8080; got \"\(text)\"")
        let host: Substring
        let port: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else { throw invalid }
            host = text[text.index(after: text.startIndex)..<close]
            port = text[text.index(close, offsetBy: 2)...]
            guard host.contains(":") else { throw invalid }
        } else {
            guard let colon = text.lastIndex(of: ":") else { throw invalid }
            host = text[..<colon]
            port = text[text.index(after: colon)...]
            guard !host.contains(":") else { throw invalid }
        }
        guard (try? IPAddress(parsing: host)) != nil,
              !port.isEmpty, port.count <= 5, port.allSatisfy(\.isASCIIDigit),
              let number = UInt16(port) else { throw invalid }
        return (String(host), number)
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
