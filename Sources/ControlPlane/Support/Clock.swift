import PolicyModel

/// The source of the current time, injectable so that tests can move it.
public struct Clock: Sendable {
    private let read: @Sendable () -> Timestamp

    public init(_ read: @escaping @Sendable () -> Timestamp) { self.read = read }

    public static let system = Clock { Timestamp.now }

    public func now() -> Timestamp { read() }
}
