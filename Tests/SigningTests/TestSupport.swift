import Foundation
import Testing
@testable import Signing

/// Runs the `openssl` command-line tool. A missing binary fails the calling test instead of skipping it,
/// because those tests check this module against an independent implementation.
enum OpenSSLTool {
    static let path = "/usr/bin/openssl"

    struct Output {
        var status: Int32
        var standardOutput: [UInt8]
        var standardError: String

        var text: String {
            String(decoding: standardOutput, as: UTF8.self)
        }
    }

    static func run(_ arguments: [String], in directory: URL) throws -> Output {
        try #require(FileManager.default.isExecutableFile(atPath: path),
                     "the openssl binary is missing at \(path); install the openssl package")

        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.currentDirectoryURL = directory

        // Standard error goes to a file so that a full pipe cannot block the child while stdout is read.
        let errorFile = directory.appendingPathComponent("openssl-stderr-\(UUID().uuidString).txt")
        guard FileManager.default.createFile(atPath: errorFile.path, contents: nil) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: errorFile.path])
        }
        let errorHandle = try FileHandle(forWritingTo: errorFile)
        defer { try? errorHandle.close() }

        let outputPipe = Pipe()
        process.standardOutput = outputPipe
        process.standardError = errorHandle
        process.standardInput = FileHandle.nullDevice

        try process.run()
        let output = outputPipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()

        let errorText = (try? String(contentsOf: errorFile, encoding: .utf8)) ?? ""
        return Output(status: process.terminationStatus, standardOutput: Array(output), standardError: errorText)
    }

    /// Runs the tool and fails the test unless it exits with status 0.
    @discardableResult
    static func runExpectingSuccess(_ arguments: [String], in directory: URL) throws -> Output {
        let output = try run(arguments, in: directory)
        try #require(output.status == 0, "openssl \(arguments.joined(separator: " ")) failed: \(output.standardError)")
        return output
    }
}

/// A fresh directory under the system temporary directory, removed by `remove()`.
struct TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("perimeter-signing-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: false)
    }

    func write(_ bytes: [UInt8], to name: String) throws {
        try Data(bytes).write(to: url.appendingPathComponent(name))
    }

    func read(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: url.appendingPathComponent(name)))
    }

    func remove() {
        try? FileManager.default.removeItem(at: url)
    }
}

extension Array where Element == UInt8 {
    /// Decodes hex in test fixtures; a typo in a fixture is a bug in the test, so it traps.
    init(hex: String) {
        guard let bytes = Hex.decode(hex) else {
            preconditionFailure("invalid hex fixture: \(hex)")
        }
        self = bytes
    }

    init(utf8 text: String) {
        self = Array(text.utf8)
    }
}

/// PKCS#8 DER for an Ed25519 seed (RFC 8410 section 7): the fixed prefix, then the 32-byte seed.
func pkcs8PEM(seed: [UInt8]) -> String {
    let der = [UInt8](hex: "302e020100300506032b657004220420") + seed
    return "-----BEGIN PRIVATE KEY-----\n" + Data(der).base64EncodedString() + "\n-----END PRIVATE KEY-----\n"
}
