// swift-tools-version: 6.1
// mxray — find, probe and diagnose mail servers.
// Layering (see ../shared/DESIGN.md and scripts/check-layers): lower layers never import higher ones.
import PackageDescription

let nio: [Target.Dependency] = [.product(name: "NIOCore", package: "swift-nio")]
let nioIO: [Target.Dependency] = [
    .product(name: "NIOCore", package: "swift-nio"),
    .product(name: "NIOPosix", package: "swift-nio"),
]

let package = Package(
    name: "mxray",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "mxray", targets: ["mxray"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
    ],
    targets: [
        // Layer 0
        .target(name: "MailCore"),

        // Layer 1 (pure codecs)
        // BEGIN dns-wire
        // END dns-wire
        // BEGIN mail-wire
        // END mail-wire

        // Layer 2 (pure policy and log analysis)
        // BEGIN mail-logs
        // END mail-logs

        // Layer 3 (I/O)
        // BEGIN dns-client
        // END dns-client
        // BEGIN probes
        // END probes

        // Layer 4
        .target(name: "Diagnosis", dependencies: ["MailCore"]),

        // Layer 5
        .target(name: "Reporting", dependencies: ["Diagnosis"]),

        // Layer 6 + executable
        .target(
            name: "MXRayCLI",
            dependencies: [
                "MailCore", "Diagnosis", "Reporting",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "mxray", dependencies: ["MXRayCLI"]),

        // Tests
        .testTarget(name: "MailCoreTests", dependencies: ["MailCore"]),
        .testTarget(name: "DiagnosisTests", dependencies: ["Diagnosis"]),
        .testTarget(name: "ReportingTests", dependencies: ["Reporting"]),
        .testTarget(name: "MXRayCLITests", dependencies: ["MXRayCLI"]),
        // BEGIN test-targets (one line per helper area)
        // END test-targets
    ],
    swiftLanguageModes: [.v6]
)
