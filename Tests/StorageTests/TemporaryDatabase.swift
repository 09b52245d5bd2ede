import Foundation
import Storage

/// A new database file in its own directory under the system's temporary folder.
///
/// Test suites hold one per test and use it directly in the test methods, not inside a closure. Inside another
/// closure, Swift 6.3.1 can give a closure and a closure in a macro expansion (`#expect(throws:) { … }`) the
/// same symbol, and then calls the wrong one.
final class TemporaryDatabase {
    let directory: URL
    let path: String
    private var openConnection: SQLiteConnection?

    init() throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("perimeter-storage-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        path = directory.appendingPathComponent("test.db").path
        openConnection = try SQLiteConnection(path: path)
    }

    var connection: SQLiteConnection {
        openConnection!
    }

    deinit {
        // Close the database before its directory goes away.
        openConnection = nil
        try? FileManager.default.removeItem(at: directory)
    }
}
