import Foundation

/// A `perimeterd` process started from the build products on a free loopback port with its own database.
final class RunningServer {
    let directory: URL
    let process: Process
    let logFile: URL
    let port: UInt16
    /// The admin token printed on first start, or the configured one.
    let token: String

    var client: TestHTTPClient { TestHTTPClient(port: port, token: token) }
    var databasePath: String { directory.appendingPathComponent("perimeter.db").path }

    /// The `perimeterd` binary that `swift build` put beside the test bundle.
    static func binaryURL() throws -> URL {
        var directory = Bundle.main.bundleURL
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("perimeterd")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        throw TestFailure("perimeterd binary not found next to \(Bundle.main.bundleURL.path); run `swift build --product perimeterd` "
            + "first (scripts/test does)")
    }

    static func makeDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("perimeter-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    /// Starts the server and waits until it listens; fails with the server's log when it does not.
    init(directory: URL? = nil, binary: URL? = nil, arguments: [String] = [], environment: [String: String] = [:]) throws {
        self.directory = try directory ?? RunningServer.makeDirectory()
        logFile = self.directory.appendingPathComponent("perimeterd-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)

        process = Process()
        process.executableURL = try binary ?? RunningServer.binaryURL()
        process.currentDirectoryURL = self.directory
        process.arguments = ["--listen", "127.0.0.1:0", "--db", self.directory.appendingPathComponent("perimeter.db").path,
                             "--loops", "1"] + arguments
        var processEnvironment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("PERIMETER_") }
        processEnvironment.merge(environment) { $1 }
        process.environment = processEnvironment
        let handle = try FileHandle(forWritingTo: logFile)
        process.standardError = handle
        process.standardOutput = handle
        try process.run()

        let deadline = Date().addingTimeInterval(20)
        var port: UInt16?
        while Date() < deadline, process.isRunning {
            let log = (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
            if let range = log.range(of: "\"listen.port\":\"") {
                let digits = log[range.upperBound...].prefix { $0.isNumber }
                port = UInt16(digits)
                break
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        let log = (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
        guard let port else {
            process.terminate()
            process.waitUntilExit()
            throw TestFailure("perimeterd did not start; its output:\n\(log)")
        }
        self.port = port
        if let configured = environment["PERIMETER_ADMIN_TOKEN"] {
            token = configured
        } else if let range = log.range(of: "prm_") {
            token = "prm_" + log[range.upperBound...].prefix { $0.isHexDigit }
        } else {
            token = ""
        }
    }

    var log: String { (try? String(contentsOf: logFile, encoding: .utf8)) ?? "" }

    /// Sends SIGTERM and waits for the exit status.
    @discardableResult
    func stop() -> Int32 {
        if process.isRunning {
            process.terminate()
        }
        process.waitUntilExit()
        return process.terminationStatus
    }

    deinit {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }

    /// Runs the binary to completion with the given arguments and returns its exit status and output.
    static func runToExit(binary: URL? = nil, arguments: [String], environment: [String: String] = [:],
                          directory: URL) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = try binary ?? binaryURL()
        process.currentDirectoryURL = directory
        process.arguments = arguments
        var processEnvironment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("PERIMETER_") }
        processEnvironment.merge(environment) { $1 }
        process.environment = processEnvironment
        let output = directory.appendingPathComponent("run-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        let handle = try FileHandle(forWritingTo: output)
        process.standardError = handle
        process.standardOutput = handle
        try process.run()
        // A server that did start would run forever; stop it after a bounded wait.
        let deadline = Date().addingTimeInterval(15)
        while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning {
            process.terminate()
        }
        process.waitUntilExit()
        return (process.terminationStatus, (try? String(contentsOf: output, encoding: .utf8)) ?? "")
    }
}
