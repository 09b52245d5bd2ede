import Foundation
import Testing
import Storage

@Suite struct EmbeddedMigrationsTests {
    /// The repository's migrations/ folder, found from this file's path (Tests/StorageTests/…).
    private static let migrationsFolder = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()
        .deletingLastPathComponent()
        .deletingLastPathComponent()
        .appendingPathComponent("migrations", isDirectory: true)

    private static let regenerate = "EmbeddedMigrations.swift is out of date: run scripts/embed-migrations"

    @Test func embeddedMigrationsMatchFolder() throws {
        let fileNames = try FileManager.default.contentsOfDirectory(atPath: Self.migrationsFolder.path)
            .filter { $0.hasSuffix(".sql") }
            .sorted()
        try #require(!fileNames.isEmpty, "no .sql files in \(Self.migrationsFolder.path)")

        #expect(EmbeddedMigrations.all.map(\.fileName) == fileNames, "\(Self.regenerate)")

        for migration in EmbeddedMigrations.all where fileNames.contains(migration.fileName) {
            let url = Self.migrationsFolder.appendingPathComponent(migration.fileName)
            let fileBytes = try [UInt8](Data(contentsOf: url))
            let embeddedBytes = Array(migration.sql.utf8)

            // A Bool keeps the failure message short, because #expect would print both arrays in full.
            let isIdentical = embeddedBytes == fileBytes
            let firstDifference = zip(embeddedBytes, fileBytes).enumerated()
                .first { $0.element.0 != $0.element.1 }?.offset ?? min(embeddedBytes.count, fileBytes.count)
            #expect(
                isIdentical,
                """
                \(migration.fileName) differs from the embedded text at byte \(firstDifference) \
                (file \(fileBytes.count) bytes, embedded \(embeddedBytes.count) bytes). \(Self.regenerate)
                """
            )
        }
    }

    @Test func embeddedVersionsFollowFileNames() {
        for (offset, migration) in EmbeddedMigrations.all.enumerated() {
            #expect(migration.version == offset + 1)
            #expect(Migration.version(fromFileName: migration.fileName) == migration.version)
        }
    }
}
