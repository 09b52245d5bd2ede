import Foundation
import Testing

@Suite struct StartupTests {
    @Test func firstStartCreatesDatabaseKeyFileAndToken() throws {
        let server = try RunningServer()
        defer { server.stop() }
        #expect(server.token.hasPrefix("prm_"))
        #expect(server.token.count == 68)
        let keyFile = server.directory.appendingPathComponent("perimeter.master-key").path
        let attributes = try FileManager.default.attributesOfItem(atPath: keyFile)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        #expect(FileManager.default.fileExists(atPath: server.databasePath))
        #expect(try server.client.request("GET", "/v1/environments/default").status == 200)
    }

    @Test func secondStartKeepsStateAndPrintsNoToken() throws {
        let first = try RunningServer()
        _ = try first.client.request("PUT", "/v1/environments/default/ip-allowlist", json: #"{"blocks": ["10.0.0.0/8"]}"#)
        #expect(first.stop() == 0)

        let second = try RunningServer(directory: first.directory)
        defer { second.stop() }
        #expect(!second.log.contains("prm_"))
        var client = second.client
        client.token = first.token
        #expect(try client.request("GET", "/v1/environments/default").json()["version"] as? Int == 2)
    }

    @Test func sigtermStopsWithStatusZero() throws {
        let server = try RunningServer()
        #expect(server.stop() == 0)
    }

    @Test func wrongMasterKeyRefusesToStart() throws {
        let first = try RunningServer()
        first.stop()
        let wrongKey = String(repeating: "11", count: 32)
        let result = try RunningServer.runToExit(arguments: ["--listen", "127.0.0.1:0", "--db", first.databasePath],
                                                 environment: ["PERIMETER_MASTER_KEY": wrongKey],
                                                 directory: first.directory)
        #expect(result.status == 1)
        #expect(result.output.contains("master key does not open signing key"))
    }

    @Test func changedMigrationRefusesToStartNamingTheFile() throws {
        let first = try RunningServer()
        first.stop()
        try SQLiteShell.execute("UPDATE schema_migrations SET sha256 = 'feed' WHERE version = 1", database: first.databasePath)
        let result = try RunningServer.runToExit(arguments: ["--listen", "127.0.0.1:0", "--db", first.databasePath],
                                                 directory: first.directory)
        #expect(result.status == 1)
        #expect(result.output.contains("0001_initial_schema.sql"), "\(result.output)")
    }

    @Test func newerDatabaseRefusesToStart() throws {
        let first = try RunningServer()
        first.stop()
        try SQLiteShell.execute("""
            INSERT INTO schema_migrations (version, file_name, sha256, applied_at)
            VALUES (999, '0999_from_the_future.sql', 'feed', '2030-01-01T00:00:00Z')
            """, database: first.databasePath)
        let result = try RunningServer.runToExit(arguments: ["--listen", "127.0.0.1:0", "--db", first.databasePath],
                                                 directory: first.directory)
        #expect(result.status == 1)
        #expect(result.output.contains("0999_from_the_future.sql"), "\(result.output)")
    }

    @Test func binaryCopiedAloneMigratesANewDatabase() throws {
        let directory = try RunningServer.makeDirectory()
        let copy = directory.appendingPathComponent("perimeterd")
        try FileManager.default.copyItem(at: try RunningServer.binaryURL(), to: copy)
        let server = try RunningServer(directory: directory, binary: copy)
        defer { server.stop() }
        #expect(try server.client.request("GET", "/v1/environments/default/bundle").status == 200)
    }

    @Test func helpListsEveryVariable() throws {
        let directory = try RunningServer.makeDirectory()
        let result = try RunningServer.runToExit(arguments: ["--help"], directory: directory)
        #expect(result.status == 0)
        for variable in ["PERIMETER_LISTEN", "PERIMETER_DB", "PERIMETER_MASTER_KEY", "PERIMETER_MASTER_KEY_FILE",
                         "PERIMETER_ADMIN_TOKEN", "PERIMETER_BUNDLE_TTL"] {
            #expect(result.output.contains(variable), "\(variable)")
        }
    }

    static let badSettings: [(String, String)] = [
        ("PERIMETER_LISTEN", "localhost:8080"),
        ("PERIMETER_LISTEN", "127.0.0.1:99999"),
        ("PERIMETER_LISTEN", "::1:8080"),
        ("PERIMETER_MASTER_KEY", "abc"),
        ("PERIMETER_BUNDLE_TTL", "7 days"),
        ("PERIMETER_BUNDLE_TTL", "5s"),
        ("PERIMETER_ADMIN_TOKEN", "short"),
        ("PERIMETER_LOOPS", "0"),
    ]

    @Test func badSettingStopsStartNamingTheVariable() throws {
        let directory = try RunningServer.makeDirectory()
        for (variable, value) in Self.badSettings {
            var environment = ["PERIMETER_DB": directory.appendingPathComponent("perimeter.db").path, variable: value]
            if variable != "PERIMETER_LISTEN" { environment["PERIMETER_LISTEN"] = "127.0.0.1:0" }
            let result = try RunningServer.runToExit(arguments: [], environment: environment, directory: directory)
            #expect(result.status == 1, "\(variable)=\(value)")
            #expect(result.output.contains(variable), "\(variable)=\(value): \(result.output)")
        }
    }
}

/// Changes a test database behind the server's back, through the sqlite3 library by way of python3.
enum SQLiteShell {
    static func execute(_ sql: String, database: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute(sys.argv[2]); c.commit()",
                             database, sql]
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw TestFailure("python3 sqlite3 failed for: \(sql)") }
    }
}
