// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Perimeter",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "perimeterd", targets: ["perimeterd"]),
    ],
    targets: [
        // C libraries and Linux headers that Glibc does not export.
        .systemLibrary(
            name: "CSQLite",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        .systemLibrary(
            name: "COpenSSL",
            providers: [.apt(["libssl-dev"])]
        ),
        .target(name: "CShim"),

        // Layers, lowest first; each imports only the ones listed below it.
        .target(name: "Signing", dependencies: ["COpenSSL"]),
        .target(name: "PolicyModel"),
        .target(name: "HTTP", dependencies: ["CShim"]),
        .target(name: "Storage", dependencies: ["CSQLite", "PolicyModel", "Signing"]),
        .target(name: "ControlPlane", dependencies: ["HTTP", "Storage", "PolicyModel", "Signing"]),
        .executableTarget(name: "perimeterd", dependencies: ["ControlPlane"]),

        .testTarget(name: "SigningTests", dependencies: ["Signing"]),
        .testTarget(name: "PolicyModelTests", dependencies: ["PolicyModel"]),
        .testTarget(name: "HTTPTests", dependencies: ["HTTP"]),
        .testTarget(name: "StorageTests", dependencies: ["Storage"]),
        .testTarget(name: "ControlPlaneTests", dependencies: ["ControlPlane", "Signing"]),
    ]
)
