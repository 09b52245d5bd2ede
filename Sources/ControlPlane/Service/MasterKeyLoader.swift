import Foundation
import Signing

/// Finds the master key that seals secrets at rest.
enum MasterKeyLoader {
    static func load(_ source: ServiceConfiguration.MasterKeySource, databasePath: String,
                     logger: Logger) throws -> SealingKey {
        switch source {
        case let .hex(text):
            return try key(fromHex: text, origin: "PERIMETER_MASTER_KEY")
        case let .file(path):
            return try read(path, origin: "PERIMETER_MASTER_KEY_FILE", logger: logger)
        case .besideDatabase:
            let directory = (databasePath as NSString).deletingLastPathComponent
            let path = (directory.isEmpty ? "." : directory) + "/perimeter.master-key"
            if FileManager.default.fileExists(atPath: path) {
                return try read(path, origin: "the master key file \(path)", logger: logger)
            }
            return try generate(at: path, logger: logger)
        }
    }

    private static func key(fromHex text: String, origin: String) throws -> SealingKey {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.utf8.count == 64, let bytes = Hex.decode(trimmed) else {
            throw StartupError("\(origin) must be 64 hex digits (32 bytes), as `openssl rand -hex 32` prints")
        }
        return try SealingKey(bytes: bytes)
    }

    private static func read(_ path: String, origin: String, logger: Logger) throws -> SealingKey {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw StartupError("\(origin): cannot read \(path); check that the file exists and is readable")
        }
        if let attributes = try? FileManager.default.attributesOfItem(atPath: path),
           let mode = attributes[.posixPermissions] as? Int, mode & 0o077 != 0 {
            logger.warning("master key file is readable by group or others; restrict it to mode 0600",
                           metadata: ["file": path, "file.mode": String(mode, radix: 8)])
        }
        return try key(fromHex: String(decoding: data, as: UTF8.self), origin: "\(origin) (\(path))")
    }

    /// Writes a new random key with O_EXCL and mode 0600, so an existing file is never overwritten.
    private static func generate(at path: String, logger: Logger) throws -> SealingKey {
        let key = SealingKey.generate()
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw StartupError("cannot create the master key file \(path): \(String(cString: strerror(errno))); "
                + "set PERIMETER_MASTER_KEY or PERIMETER_MASTER_KEY_FILE instead")
        }
        defer { close(descriptor) }
        let text = Array((Hex.encode(key.bytes) + "\n").utf8)
        let written = text.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == text.count, fsync(descriptor) == 0 else {
            unlink(path)
            throw StartupError("cannot write the master key file \(path): \(String(cString: strerror(errno)))")
        }
        logger.info("generated a master key; back it up, since sealed keys cannot be opened without it",
                    metadata: ["file": path])
        return key
    }
}
