import Foundation

/// Debian's nginx, started on a free loopback port with a configuration the test writes.
final class RunningNginx {
    let directory: URL
    let port: UInt16
    private let process: Process

    static func binaryPath() throws -> String {
        guard let path = ["/usr/sbin/nginx", "/usr/bin/nginx"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw TestFailure("nginx is not installed; scripts/test installs it from Debian")
        }
        return path
    }

    /// Starts nginx with `httpSnippet` included in its http context and one server that answers 200,
    /// or 403 when `$perimeter_denied` is set.
    init(httpSnippet: String) throws {
        directory = try RunningServer.makeDirectory()
        port = try RunningNginx.freePort()
        try httpSnippet.write(to: directory.appendingPathComponent("perimeter.conf"), atomically: true, encoding: .utf8)
        let root = directory.path
        let configuration = """
            worker_processes 1;
            daemon off;
            pid \(root)/nginx.pid;
            error_log \(root)/error.log warn;
            events { worker_connections 256; }
            http {
                access_log off;
                client_body_temp_path \(root)/client-body;
                proxy_temp_path \(root)/proxy;
                fastcgi_temp_path \(root)/fastcgi;
                uwsgi_temp_path \(root)/uwsgi;
                scgi_temp_path \(root)/scgi;
                include \(root)/perimeter.conf;
                server {
                    listen 127.0.0.1:\(port);
                    location / {
                        if ($perimeter_denied) { return 403; }
                        return 200 "allowed\\n";
                    }
                }
            }

            """
        try configuration.write(to: directory.appendingPathComponent("nginx.conf"), atomically: true, encoding: .utf8)

        process = Process()
        process.executableURL = URL(fileURLWithPath: try RunningNginx.binaryPath())
        process.arguments = ["-p", root, "-c", "\(root)/nginx.conf"]
        let log = directory.appendingPathComponent("stderr.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardError = handle
        process.standardOutput = handle
        try process.run()

        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            guard process.isRunning else { break }
            if (try? TestHTTPClient(port: port).request("GET", "/", authorized: false)) != nil { return }
            Thread.sleep(forTimeInterval: 0.05)
        }
        let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        let errors = (try? String(contentsOf: directory.appendingPathComponent("error.log"), encoding: .utf8)) ?? ""
        stop()
        throw TestFailure("nginx did not start:\n\(output)\n\(errors)")
    }

    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }

    deinit { stop() }

    /// A port that was free a moment ago; the kernel picks it.
    static func freePort() throws -> UInt16 {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Int32 in
                guard bind(descriptor, pointer, length) == 0 else { return -1 }
                return getsockname(descriptor, pointer, &length)
            }
        }
        guard bound == 0 else { throw TestFailure("could not find a free port: errno \(errno)") }
        return UInt16(bigEndian: address.sin_port)
    }
}
