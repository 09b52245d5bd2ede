import Foundation

/// The client's command-line settings. The bearer token comes from `PERIMETER_TOKEN`, so it stays out of `ps`.
struct Settings {
    static let usage = """
        Usage: fanout-client --port PORT --server-pid PID --change-body FILE [options]

        Parks long polls on perimeterd at 127.0.0.1:PORT, PUTs FILE to the default environment's
        ip-allowlist, and measures how long the pollers take to receive the new bundle.
        The admin token is read from the environment variable PERIMETER_TOKEN.

        Options:
          --polls COUNT             long polls to park (default 10000)
          --wait SECONDS            value sent in Prefer: wait=N (default 90)
          --batch COUNT             connections opened before waiting for the server to park them (default 500)
          --notify-timeout SECONDS  time allowed after the change for every poller to receive it (default 30)
        """

    var port: UInt16 = 0
    var serverPID: Int32 = 0
    var changeBodyPath = ""
    var token = ""
    var pollCount = 10_000
    var waitSeconds = 90
    var batchSize = 500
    var notifyTimeoutSeconds = 30

    struct InvalidArgument: Error, CustomStringConvertible {
        let description: String
    }

    static func parse(_ arguments: [String], environment: [String: String]) throws -> Settings {
        var settings = Settings()
        var index = 0

        func value(of flag: String) throws -> String {
            index += 1
            guard index < arguments.count else { throw InvalidArgument(description: "\(flag) needs a value") }
            return arguments[index]
        }
        func number<T: FixedWidthInteger>(of flag: String, in range: ClosedRange<T>) throws -> T {
            let text = try value(of: flag)
            guard let number = T(text), range.contains(number) else {
                throw InvalidArgument(description: "invalid \(flag) \"\(text)\": expected a whole number in \(range)")
            }
            return number
        }

        while index < arguments.count {
            switch arguments[index] {
            case "--port": settings.port = try number(of: "--port", in: 1...65_535)
            case "--server-pid": settings.serverPID = try number(of: "--server-pid", in: 1...Int32.max)
            case "--change-body": settings.changeBodyPath = try value(of: "--change-body")
            case "--polls": settings.pollCount = try number(of: "--polls", in: 1...1_000_000)
            case "--wait": settings.waitSeconds = try number(of: "--wait", in: 1...3_600)
            case "--batch": settings.batchSize = try number(of: "--batch", in: 1...100_000)
            case "--notify-timeout": settings.notifyTimeoutSeconds = try number(of: "--notify-timeout", in: 1...3_600)
            case let other: throw InvalidArgument(description: "unknown argument \"\(other)\"")
            }
            index += 1
        }

        guard settings.port != 0 else { throw InvalidArgument(description: "--port is missing") }
        guard settings.serverPID != 0 else { throw InvalidArgument(description: "--server-pid is missing") }
        guard !settings.changeBodyPath.isEmpty else { throw InvalidArgument(description: "--change-body is missing") }
        guard let token = environment["PERIMETER_TOKEN"], !token.isEmpty else {
            throw InvalidArgument(description: "PERIMETER_TOKEN is not set. Set it to the admin token of perimeterd.")
        }
        settings.token = token
        return settings
    }
}
