import ControlPlane
import Dispatch
import Foundation

// Signals are handled on a dispatch queue; their default actions must be off before any thread starts.
signal(SIGPIPE, SIG_IGN)
signal(SIGINT, SIG_IGN)
signal(SIGTERM, SIG_IGN)

var arguments = Array(CommandLine.arguments.dropFirst())
if arguments.contains("--help") || arguments.contains("-h") {
    print(Options.usage, terminator: "")
    exit(0)
}

if arguments.first == "rotate-master-key" {
    arguments.removeFirst()
    do {
        guard let index = arguments.firstIndex(of: "--new-key-file"), index + 1 < arguments.count else {
            throw StartupError("rotate-master-key needs --new-key-file PATH, a file holding the new 64-hex-digit key")
        }
        let newKeyFile = arguments[index + 1]
        arguments.removeSubrange(index...index + 1)
        let configuration = try Options.parse(arguments: arguments, environment: ProcessInfo.processInfo.environment)
        print(try MasterKeyRotation.run(configuration: configuration, newKeyFile: newKeyFile))
        exit(0)
    } catch {
        FileHandle.standardError.write(Data("perimeterd rotate-master-key: \(error)\n".utf8))
        exit(1)
    }
}

let logger: Logger
let service: ControlPlaneService
do {
    let configuration = try Options.parse(arguments: arguments, environment: ProcessInfo.processInfo.environment)
    logger = Logger(label: "perimeterd", minimumLevel: configuration.logLevel)
    service = try ControlPlaneService(configuration: configuration, logger: logger)
    // The new token is stored already. It is shown before listening, so that a failed start does not lose it.
    if let token = service.generatedAdminToken {
        FileHandle.standardError.write(Data("""

            Admin token (shown once, store it now):

                \(token)


            """.utf8))
    }
    try service.start()
} catch {
    FileHandle.standardError.write(Data("perimeterd: \(error)\n".utf8))
    exit(1)
}

// The handlers run on the main queue: closures written here belong to the main actor, and Swift
// traps when such a closure runs on any other thread.
let signalSources = [SIGINT, SIGTERM].map { number in
    let source = DispatchSource.makeSignalSource(signal: number, queue: .main)
    source.setEventHandler {
        logger.info("stopping on signal", metadata: ["signal": number == SIGINT ? "SIGINT" : "SIGTERM"])
        service.shutdown()
        exit(0)
    }
    source.resume()
    return source
}
withExtendedLifetime(signalSources) { dispatchMain() }
