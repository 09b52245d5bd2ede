import ControlPlane
import Dispatch
import Foundation

// SIGINT and SIGTERM are blocked before any thread starts, so every thread inherits the mask. A stop signal
// that arrives during startup then stays pending until the main thread takes it with sigwait below.
// Ignoring them during startup instead would lose a signal sent then and leave the server running.
signal(SIGPIPE, SIG_IGN)
var stopSignals = sigset_t()
sigemptyset(&stopSignals)
sigaddset(&stopSignals, SIGINT)
sigaddset(&stopSignals, SIGTERM)
pthread_sigmask(SIG_BLOCK, &stopSignals, nil)

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

// The main thread waits for a stop signal. POSIX lists one sigwait error (EINVAL, an invalid signal number),
// and should it occur the server stops too.
var signalNumber: Int32 = 0
let waitError = sigwait(&stopSignals, &signalNumber)
if waitError != 0 {
    logger.error("sigwait failed, so perimeterd stops", metadata: ["error.errno": String(waitError)])
} else {
    logger.info("stopping on signal", metadata: ["signal": signalNumber == SIGINT ? "SIGINT" : "SIGTERM"])
}
service.shutdown()
exit(0)
