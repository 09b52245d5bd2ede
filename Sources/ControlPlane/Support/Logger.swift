import Foundation
import PolicyModel
import Synchronization

/// A small structured logger: a constant message plus dotted metadata keys, one line per event on stderr.
///
/// Messages and metadata are built only when the level is enabled. Callers never pass tokens, keys
/// or secret values.
public struct Logger: Sendable {
    public enum Level: Int, Comparable, Sendable, CaseIterable {
        case debug, info, warning, error

        public static func < (lhs: Level, rhs: Level) -> Bool { lhs.rawValue < rhs.rawValue }

        public init?(name: String) {
            guard let level = Level.allCases.first(where: { $0.name == name.lowercased() }) else { return nil }
            self = level
        }

        public var name: String {
            switch self {
            case .debug: "debug"
            case .info: "info"
            case .warning: "warning"
            case .error: "error"
            }
        }
    }

    public let label: String
    public let minimumLevel: Level
    private static let output = Mutex<FileHandle>(FileHandle.standardError)

    public init(label: String, minimumLevel: Level = .info) {
        self.label = label
        self.minimumLevel = minimumLevel
    }

    /// Writes one JSON object per line: `time`, `level`, `logger`, `message`, then the metadata keys.
    public func log(_ level: Level, _ message: @autoclosure () -> String,
                    metadata: @autoclosure () -> [String: String] = [:]) {
        guard level >= minimumLevel else { return }
        var members: [(key: String, value: JSONValue)] = [
            ("time", .string(Timestamp.now.rfc3339)),
            ("level", .string(level.name)),
            ("logger", .string(label)),
            ("message", .string(message())),
        ]
        for (key, value) in metadata().sorted(by: { $0.key < $1.key }) {
            members.append((key, .string(value)))
        }
        var line = JSONValue.object(members).encoded()
        line.append(UInt8(ascii: "\n"))
        Logger.output.withLock { $0.write(Data(line)) }
    }

    public func debug(_ message: @autoclosure () -> String, metadata: @autoclosure () -> [String: String] = [:]) {
        log(.debug, message(), metadata: metadata())
    }

    public func info(_ message: @autoclosure () -> String, metadata: @autoclosure () -> [String: String] = [:]) {
        log(.info, message(), metadata: metadata())
    }

    public func warning(_ message: @autoclosure () -> String, metadata: @autoclosure () -> [String: String] = [:]) {
        log(.warning, message(), metadata: metadata())
    }

    public func error(_ message: @autoclosure () -> String, metadata: @autoclosure () -> [String: String] = [:]) {
        log(.error, message(), metadata: metadata())
    }
}

extension Timestamp {
    /// The current wall-clock time.
    public static var now: Timestamp { Timestamp(secondsSinceEpoch: Int64(Date().timeIntervalSince1970)) }
}
