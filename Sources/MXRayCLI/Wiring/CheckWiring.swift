import Diagnosis
import DNSClient
import DNSWire
import Foundation
import MailWire
import NIOCore
import Probes
import TLSWire

/// The real probes behind the engine's `PortProbing`: `MailProber` with the run's options, its
/// overall deadline set to what the engine has left.
public struct MailProberAdapter: PortProbing {
    public var options: ProbeOptions

    public init(options: ProbeOptions) { self.options = options }

    public func probe(_ targets: [ProbeAddress], ports: [Int], timeout: Duration) async -> [PortObservation] {
        var o = options
        o.overallTimeout = timeAmount(timeout)
        o.connectTimeout = min(o.connectTimeout, o.overallTimeout)
        return await MailProber(options: o).probe(targets.map { ProbeTarget(address: $0.address, host: $0.host) }, ports: ports)
    }
}

/// How deep `check` looks at TLS (`--tls-scan`).
public enum TLSScanMode: String, Sendable, CaseIterable {
    /// Every suite of every version by elimination (what `mxray tls` does).
    case full
    /// One wave of hellos per port: versions, weak suites per version, groups, features, the
    /// certificate: what the grade and the findings need (`TLSQuickAssessment`).
    case quick
    /// No TLS scan; STARTTLS is still probed.
    case off
}

/// The real TLS scanner behind `TLSScanning`: STARTTLS chosen by port, the extra CA for the
/// certificate check, the per-host cap; the full scan or the quick assessment.
public struct TLSScannerAdapter: TLSScanning {
    public var caFile: String?
    public var perHostConcurrency: Int
    public var mode: TLSScanMode

    public init(caFile: String?, perHostConcurrency: Int = 4, mode: TLSScanMode = .full) {
        self.caFile = caFile
        self.perHostConcurrency = perHostConcurrency
        self.mode = mode
    }

    /// The quick assessment splits its offers where the NCSC-NL grade changes.
    public static let ranking = TLSQuickAssessment.Ranking(
        suite: { NCSCGuidelines.grade(suite: $0).0.rawValue },
        group: { NCSCGuidelines.grade(group: $0).rawValue })

    public func scan(host: String, address: String, port: Int, timeout: Duration) async -> TLSScanResult {
        var o = TLSScanOptions(host: host, address: address, port: port, starttls: StartTLSProtocol.forPort(port))
        o.caFile = caFile
        o.perHostConcurrency = perHostConcurrency
        o.overallTimeout = timeAmount(timeout)
        switch mode {
        case .quick: return await TLSQuickAssessment(options: o, ranking: Self.ranking).scan()
        case .full, .off: return await TLSScanner(options: o).scan()
        }
    }
}

func timeAmount(_ d: Duration) -> TimeAmount {
    let c = d.components
    return .nanoseconds(max(1, c.seconds * 1_000_000_000 + c.attoseconds / 1_000_000_000))
}

/// Builds the engine `mxray check` runs: the network resolver, the probers, the TLS scanner and
/// the MTA-STS fetcher. Tests call this same function.
public enum CheckWiring {
    public struct Settings: Sendable {
        public var resolver: ResolverConfiguration
        public var caFile: String?
        public var relayTest = true
        /// At most this many connections to one address at a time for the port probes, and as
        /// many for the TLS hellos (see `CheckCommand` --per-host for why 16).
        public var perHost = 16
        /// Off when false, whatever `tlsScanMode` says (kept for `--no-tls-scan`).
        public var tlsScan = true
        public var tlsScanMode = TLSScanMode.quick
        /// Check the client settings the domain publishes (SRV, autoconfig, Autodiscover).
        public var clientConfig = true
        public var options = CheckOptions()

        public init(resolver: ResolverConfiguration, caFile: String? = nil) {
            self.resolver = resolver
            self.caFile = caFile
        }
    }

    public static func engine(_ s: Settings) throws -> CheckEngine {
        let dns = NetworkDNSResolver(configuration: s.resolver)
        var probe = ProbeOptions()
        probe.tls = try ProbeTLSSettings(extraCAFile: s.caFile)
        probe.relayTest = s.relayTest
        probe.perAddressConcurrency = s.perHost
        let fetcher = HTTPSMTASTSFetcher(resolver: dns, caFile: s.caFile)
        var engine = CheckEngine(resolver: dns, prober: MailProberAdapter(options: probe),
                                 scanner: s.tlsScan && s.tlsScanMode != .off
                                    ? TLSScannerAdapter(caFile: s.caFile, perHostConcurrency: s.perHost, mode: s.tlsScanMode) : nil,
                                 fetcher: fetcher, options: s.options)
        if s.clientConfig { engine.clientFetcher = HTTPFetcherAdapter(resolver: dns, caFile: s.caFile) }
        return engine
    }

    /// A resolver configuration from `--resolver` values (or /etc/resolv.conf when empty).
    public static func resolverConfiguration(_ servers: [String]) throws -> ResolverConfiguration {
        if servers.isEmpty {
            let config: ResolverConfiguration
            do { config = try ResolverConfiguration.system() } catch {
                throw MXRayError.couldNotRun("cannot read /etc/resolv.conf (\(error)); give a server with --resolver HOST[:PORT]")
            }
            guard !config.servers.isEmpty else {
                throw MXRayError.couldNotRun("/etc/resolv.conf lists no nameserver; give one with --resolver HOST[:PORT]")
            }
            return config
        }
        return ResolverConfiguration(servers: servers.compactMap { DNSServerAddress(parsing: $0) },
                                     timeout: .seconds(2), attempts: 2, source: "--resolver")
    }
}
