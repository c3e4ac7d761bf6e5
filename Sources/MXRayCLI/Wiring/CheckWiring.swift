import Diagnosis
import DNSClient
import DNSWire
import Foundation
import MailWire
import NIOCore
import Probes
import TLSWire
import Wiring

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
        probe.addressQueriesOnSecondConnection = true
        let fetcher = HTTPSMTASTSFetcher(resolver: dns, caFile: s.caFile)
        var engine = CheckEngine(resolver: dns, prober: MailProberAdapter(options: probe),
                                 scanner: s.tlsScan && s.tlsScanMode != .off
                                    ? TLSScannerAdapter(caFile: s.caFile, perHostConcurrency: s.perHost, mode: s.tlsScanMode) : nil,
                                 fetcher: fetcher, options: s.options)
        engine.options.tlsScanHeadStart = s.tlsScanMode == .quick
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
