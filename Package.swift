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
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "5.0.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        // mxray serve (issue 9): HTTP server, auth helpers (bcrypt, TOTP), history, metrics, lifecycle.
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
    ],
    targets: [
        // Layer 0
        .target(name: "MailCore"),

        // Layer 1 (pure codecs)
        // BEGIN dns-wire
        .target(name: "DNSWire", dependencies: ["MailCore"] + nio),
        // END dns-wire
        // BEGIN mail-wire
        .target(name: "MailWire", dependencies: ["MailCore"] + nio),
        // END mail-wire
        // BEGIN tls-wire
        .target(name: "TLSWire", dependencies: ["MailCore"] + nio, exclude: ["Tables/IANA"]),
        // END tls-wire

        // Layer 2 (pure policy and log analysis)
        // BEGIN mail-logs
        // zlib through a system library target: Debian's zlib1g-dev is already on every build machine
        // and .gz logs need only streaming inflate, so no extra package for one C call.
        .systemLibrary(name: "CZlib", path: "Sources/MailLogs/CZlib"),
        .target(name: "MailLogs", dependencies: ["MailCore", "CZlib"] + nio, exclude: ["CZlib"]),
        // END mail-logs
        // BEGIN mail-auth
        .target(name: "MailAuth", dependencies: [
            "MailCore", "DNSWire",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "_CryptoExtras", package: "swift-crypto"),
        ]),
        // SPF benchmark driver (benchmarks/spf/bench.py runs it against pyspf).
        .executableTarget(name: "SPFBench", dependencies: ["MailAuth", "DNSWire", "DNSClient"], path: "benchmarks/spf/SPFBench"),
        // END mail-auth
        // BEGIN ledger
        // Evidence ledger (issue 11): Merkle log, signed checkpoints, crash-safe storage; pure (no sockets).
        .target(name: "Ledger", dependencies: ["MailCore", .product(name: "Crypto", package: "swift-crypto")]),
        .testTarget(name: "LedgerTests", dependencies: ["Ledger"]),
        .testTarget(name: "LedgerCLITests", dependencies: ["Ledger", "MXRayCLI", "MailLogs", "Diagnosis", "MailWire", "MailCore", "LabSupport"], exclude: ["independent-verify.py"]),
        .testTarget(name: "ForecastTests", dependencies: ["TimeSeries"]),
        // END ledger
        // BEGIN anomaly
        .target(name: "TimeSeries", dependencies: ["MailCore"]),
        .testTarget(name: "AnomalyTests", dependencies: ["TimeSeries", "MailLogs", "Reporting", "MXRayCLI"]),
        // benchmarks/anomaly/run: NAB and synthetic-mail-log scoring of the detectors (release build).
        .executableTarget(name: "AnomalyBench", dependencies: ["TimeSeries"], path: "benchmarks/anomaly/AnomalyBench"),
        // END anomaly
        // BEGIN headers
        .testTarget(name: "HeadersTests", dependencies: ["MailAuth", "DNSWire", "Diagnosis", "Reporting", "MXRayCLI", "LabSupport", .product(name: "Yams", package: "Yams"), .product(name: "Crypto", package: "swift-crypto"), .product(name: "_CryptoExtras", package: "swift-crypto")]),
        // END headers

        // Layer 3 (I/O)
        // BEGIN dns-client
        .target(name: "DNSClient", dependencies: ["MailCore", "DNSWire"] + nioIO),
        // benchmarks/dns/run: resolves a list of names through the lab resolver (release build).
        .executableTarget(name: "BenchDNS", dependencies: ["DNSClient"], path: "benchmarks/dns/BenchDNS"),
        // END dns-client
        // BEGIN probes
        .target(
            name: "Probes",
            dependencies: [
                "MailCore", "MailWire",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
                "DNSWire", .product(name: "AsyncHTTPClient", package: "async-http-client"),
                "TLSWire", .product(name: "X509", package: "swift-certificates"), .product(name: "SwiftASN1", package: "swift-asn1"),
            ]
        ),
        // END probes
        // BEGIN flow
        .testTarget(name: "FlowTests", dependencies: ["Probes", "Diagnosis", "Reporting", "MailWire", "MailCore", "LabSupport", .product(name: "NIOPosix", package: "swift-nio")] + nio),
        .testTarget(name: "FlowCLITests", dependencies: ["MXRayCLI", "Probes", "Diagnosis", "MailWire", "LabSupport"]),
        // END flow
        // BEGIN net
        .testTarget(name: "NetTests", dependencies: ["Diagnosis", "Probes", "DNSClient", "DNSWire", "MailAuth", "MailCore", "Reporting", "LabSupport", .product(name: "NIOPosix", package: "swift-nio")] + nio),
        // END net

        // Layer 4
        .target(name: "Diagnosis", dependencies: ["MailCore", "DNSWire", "MailWire", "MailAuth", "TLSWire", "TimeSeries"]),

        // Layer 5
        .target(name: "Reporting", dependencies: ["Diagnosis", "MailLogs", "MailAuth", "TLSWire", "TimeSeries"]),
        // The concrete probes, TLS scanner and HTTP fetchers behind the engine's protocols, for the CLI and the server.
        .target(name: "Wiring", dependencies: ["Diagnosis", "Probes", "DNSWire", "MailAuth", "MailCore", "MailWire", "TLSWire"] + nio),

        // Layer 6 + executable
        .target(
            name: "MXRayCLI",
            dependencies: [
                "MailCore", "Diagnosis", "Reporting", "DNSClient", "MailLogs", "MailWire", "Probes", "MailAuth", "TLSWire", "MXRayServer", "Ledger", "Wiring",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "mxray", dependencies: ["MXRayCLI"]),
        // BEGIN serve
        // mxray serve (issue 9): scheduler, history (GRDB), /metrics, web UI/API/probe (Web/, Auth/, Alerts/, ProbeEndpoint/).
        .target(
            name: "MXRayServer",
            dependencies: [
                "MailCore", "DNSWire", "MailWire", "Diagnosis", "Reporting", "DNSClient", "Probes", "MailAuth", "TLSWire", "TimeSeries", "CZlib", "Ledger", "Wiring",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdAuth", package: "hummingbird-auth"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "HummingbirdOTP", package: "hummingbird-auth"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ] + nioIO,
            exclude: ["CONTRACT.md"]
        ),
        .testTarget(name: "ServeTests", dependencies: [
            "MXRayServer", "LabSupport", "Diagnosis", "Reporting", "DNSClient", "MailCore", "MailWire", "TLSWire", "Ledger",
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Yams", package: "Yams"),
        ]),
        .testTarget(name: "ServeWebTests", dependencies: ["MXRayServer", "LabSupport", "Diagnosis", "DNSWire", "MailCore", "MailWire", "TLSWire", "Ledger", "TimeSeries", "Reporting", .product(name: "Hummingbird", package: "hummingbird"), .product(name: "HummingbirdTesting", package: "hummingbird"), .product(name: "HummingbirdBcrypt", package: "hummingbird-auth")] + nio),
        // benchmarks/serve/run: seeds a history with 1,000 targets for the wrk runs.
        .executableTarget(name: "ServeBench", dependencies: ["MXRayServer", "Diagnosis"], path: "benchmarks/serve/ServeBench"),
        // END serve
        // BEGIN check
        .testTarget(name: "AuditTests", dependencies: ["Diagnosis", "Reporting", "MailCore"]),
        // END check

        // Fuzzing support: every fuzz target is an executable `Fuzz<Name>` that replays its corpus
        // in an ordinary build and is a libFuzzer binary with -sanitize=fuzzer -DFUZZING.
        .target(name: "FuzzSupport"),
        // BEGIN fuzz-targets
        .executableTarget(name: "FuzzDNSMessage", dependencies: ["DNSWire", "FuzzSupport"]),
        .executableTarget(name: "FuzzLogLine", dependencies: ["FuzzSupport", "MailLogs"]),
        .executableTarget(name: "FuzzSMTPReply", dependencies: ["FuzzSupport", "MailWire"] + nio),
        .executableTarget(name: "FuzzIMAPResponse", dependencies: ["FuzzSupport", "MailWire"] + nio),
        .executableTarget(name: "FuzzPOP3Response", dependencies: ["FuzzSupport", "MailWire"] + nio),
        .executableTarget(name: "FuzzSPFRecord", dependencies: ["FuzzSupport", "MailAuth"]),
        .executableTarget(name: "FuzzDMARCRecord", dependencies: ["FuzzSupport", "MailAuth"]),
        .executableTarget(name: "FuzzDKIMTags", dependencies: ["FuzzSupport", "MailAuth"]),
        .executableTarget(name: "FuzzMTASTSPolicy", dependencies: ["FuzzSupport", "MailAuth"]),
        .executableTarget(name: "FuzzTLSHandshake", dependencies: ["FuzzSupport", "TLSWire"] + nio),
        .executableTarget(name: "FuzzLedgerEntry", dependencies: ["FuzzSupport", "Ledger"]),
        .executableTarget(name: "FuzzNetSpecs", dependencies: ["FuzzSupport", "Diagnosis", "DNSWire"]),
        .executableTarget(name: "FuzzMessageHeaders", dependencies: ["FuzzSupport", "MailAuth"]),
        .executableTarget(name: "FuzzAuthResults", dependencies: ["FuzzSupport", "MailAuth"]),
        .executableTarget(name: "FuzzClientConfig", dependencies: ["FuzzSupport", "Diagnosis"]),
        // END fuzz-targets

        // Tests
        .target(name: "LabSupport", path: "Tests/LabSupport"),
        .testTarget(name: "MailCoreTests", dependencies: ["MailCore"]),
        .testTarget(name: "DiagnosisTests", dependencies: ["Diagnosis"]),
        .testTarget(name: "ReportingTests", dependencies: ["Reporting"]),
        .testTarget(name: "MXRayCLITests", dependencies: ["MXRayCLI"]),
        // BEGIN test-targets (one line per helper area)
        .testTarget(name: "DNSWireTests", dependencies: ["DNSWire"]),
        .testTarget(name: "DNSClientTests", dependencies: ["DNSClient", "LabSupport"]),
        .testTarget(name: "LocateTests", dependencies: ["Diagnosis", "DNSClient", "Reporting", "LabSupport"]),
        .testTarget(name: "MailLogsTests", dependencies: ["MailLogs", "Reporting", "LabSupport"]),
        .testTarget(name: "MailWireTests", dependencies: ["MailWire", .product(name: "NIOTestUtils", package: "swift-nio")] + nio),
        .testTarget(name: "ProbesTests", dependencies: ["Probes", "MailWire", "Diagnosis", "LabSupport", "MXRayCLI", .product(name: "NIOPosix", package: "swift-nio"), .product(name: "NIOConcurrencyHelpers", package: "swift-nio"), .product(name: "NIOSSL", package: "swift-nio-ssl")] + nio),
        .testTarget(name: "MailAuthTests", dependencies: ["MailAuth", "DNSWire", .product(name: "Yams", package: "Yams")]),
        .testTarget(name: "AuthIntegrationTests", dependencies: ["MailAuth", "Diagnosis", "Reporting", "DNSClient", "Probes", "LabSupport", "MXRayCLI", "Wiring"]),
        .testTarget(name: "TLSWireTests", dependencies: ["TLSWire", .product(name: "NIOTestUtils", package: "swift-nio")] + nio),
        .testTarget(name: "TLSScanTests", dependencies: ["Probes", "TLSWire", "Diagnosis", "Reporting", "MXRayCLI", "LabSupport", .product(name: "NIOPosix", package: "swift-nio"), .product(name: "NIOSSL", package: "swift-nio-ssl")] + nio),
        .testTarget(name: "DiagnosisEngineTests", dependencies: ["Diagnosis", "DNSWire", "MailWire", "TLSWire", "MailCore"]),
        .testTarget(name: "CheckIntegrationTests", dependencies: ["Diagnosis", "MXRayCLI", "DNSClient", "Reporting", "LabSupport", "Wiring"]),
        // END test-targets
    ],
    swiftLanguageModes: [.v6]
)
