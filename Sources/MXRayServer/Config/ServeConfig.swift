import Diagnosis
import Foundation

/// Everything `mxray serve --config mxray.yaml` reads, as plain values. Parsed and validated by
/// `ServeConfig.parse(yaml:)` (see `ServeConfig+YAML.swift`); `docs/serve.md` documents every key.
/// The alert and auth sections are parsed here and evaluated by the web half (Alerts/, Auth/).
public struct ServeConfig: Sendable, Equatable {
    /// Where the HTTP server listens (`listen: 127.0.0.1:9425`).
    public var listen: ListenAddress
    /// DNS servers (`HOST[:PORT]`); empty means /etc/resolv.conf.
    public var resolvers: [String]
    /// Extra CA certificates to trust (certificates and MTA-STS), as `mxray check --ca-file`.
    public var caFile: String?
    /// At most this many checks run at once (`max_concurrent_checks`).
    public var maxConcurrentChecks: Int
    /// At most this many connections to one address at a time (`per_host`).
    public var perHost: Int
    public var targets: [TargetConfig]
    public var history: HistoryConfig
    public var alerts: AlertsConfig
    public var auth: AuthConfig
    public var probe: ProbeConfig
    /// Anomaly detection over the probe series (`anomalies:`), on by default.
    public var anomalies = AnomaliesConfig()
    /// Forecast settings (`forecast:`).
    public var forecast = ForecastConfig()
    /// The evidence ledger every fired alert is appended to (`ledger:`); nil: none.
    public var ledger: LedgerConfig? = nil

    public init(listen: ListenAddress = ListenAddress(host: "127.0.0.1", port: 9425), resolvers: [String] = [],
                caFile: String? = nil, maxConcurrentChecks: Int = 8, perHost: Int = 4, targets: [TargetConfig] = [],
                history: HistoryConfig = HistoryConfig(), alerts: AlertsConfig = AlertsConfig(),
                auth: AuthConfig = AuthConfig(), probe: ProbeConfig = ProbeConfig()) {
        self.listen = listen
        self.resolvers = resolvers
        self.caFile = caFile
        self.maxConcurrentChecks = maxConcurrentChecks
        self.perHost = perHost
        self.targets = targets
        self.history = history
        self.alerts = alerts
        self.auth = auth
        self.probe = probe
    }

    public func target(named name: String) -> TargetConfig? { targets.first { $0.name == name } }
}

public struct ListenAddress: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// True for 127.0.0.0/8, ::1 and `localhost`: the only addresses where auth may be off.
    public var isLoopback: Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// Which parts of a check run for a target (`checks: [probe, tls, relay, mta-sts]`). DNS (MX,
/// addresses) and the DNS-only policy records (SPF, DMARC, DKIM, TLS-RPT) always run.
public enum CheckKind: String, Sendable, CaseIterable, Codable {
    /// Connect to the mail ports (SMTP 25 and the client ports).
    case probe
    /// In-depth TLS scan of port 25 (versions, suites, certificate, DANE).
    case tls
    /// The open-relay test (MAIL FROM/RCPT TO with outside addresses; never DATA).
    case relay
    /// Fetch the MTA-STS policy over HTTPS.
    case mtaSTS = "mta-sts"
}

/// One monitored target.
public struct TargetConfig: Sendable, Equatable {
    public enum Kind: String, Sendable, Codable { case domain, host }
    /// Unique, used in URLs, metric labels and the history (`[A-Za-z0-9._-]+`).
    public var name: String
    public var kind: Kind
    /// The mail domain (kind domain) or the mail host name/address (kind host).
    public var value: String
    /// Client ports to probe besides 25; nil keeps the engine's default (465 587 143 993 110 995).
    public var ports: [Int]?
    public var checks: Set<CheckKind>
    public var interval: Duration
    /// Each run starts up to this much later than its slot (spreads load).
    public var jitter: Duration
    /// Deadline of one whole check.
    public var timeout: Duration
    public var labels: [String: String]
    /// A scheduled round trip next to the check (`roundtrip:`, see Roundtrip/RoundtripConfig.swift).
    public var roundtrip: RoundtripConfig?

    public init(name: String, kind: Kind, value: String, ports: [Int]? = nil,
                checks: Set<CheckKind> = Set(CheckKind.allCases), interval: Duration = .seconds(300),
                jitter: Duration = .seconds(30), timeout: Duration = .seconds(60), labels: [String: String] = [:]) {
        self.name = name
        self.kind = kind
        self.value = value
        self.ports = ports
        self.checks = checks
        self.interval = interval
        self.jitter = jitter
        self.timeout = timeout
        self.labels = labels
    }

    /// The engine's target (`CheckTarget.parse`).
    public func checkTarget() throws -> CheckTarget {
        do { return try CheckTarget.parse(value, asHost: kind == .host) } catch {
            throw ServeConfigError("target '\(name)': \(error.description)")
        }
    }
}

public struct HistoryConfig: Sendable, Equatable {
    /// SQLite file (`history.path`); relative paths are relative to the config file.
    public var path: String
    /// Runs older than this are deleted (`keep_days`, default 90).
    public var keepDays: Int
    /// At most this many runs per target are kept (`keep_runs`, default 10000).
    public var keepRuns: Int
    public init(path: String = "mxray-history.sqlite", keepDays: Int = 90, keepRuns: Int = 10_000) {
        self.path = path
        self.keepDays = keepDays
        self.keepRuns = keepRuns
    }
}

/// `probe:` — the blackbox-style `/probe` endpoint (served by ProbeEndpoint/).
public struct ProbeConfig: Sendable, Equatable {
    /// Allowed targets besides the configured ones: CIDR blocks (`127.0.20.0/24`) or host
    /// patterns (`mx*.example.org`), checked on the resolved address by the endpoint.
    public var allow: [String]
    /// Whether the configured targets' hosts are allowed (default true).
    public var allowConfiguredTargets: Bool
    /// Timeout when Prometheus sends no `X-Prometheus-Scrape-Timeout-Seconds`.
    public var defaultTimeout: Duration
    public init(allow: [String] = [], allowConfiguredTargets: Bool = true, defaultTimeout: Duration = .seconds(10)) {
        self.allow = allow
        self.allowConfiguredTargets = allowConfiguredTargets
        self.defaultTimeout = defaultTimeout
    }
}

/// A configuration that cannot be used, said in one line.
public struct ServeConfigError: Error, Sendable, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
