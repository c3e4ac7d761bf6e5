import Diagnosis
import DNSClient
import DNSWire
import Foundation
import MailAuth
import MailWire
import NIOCore
import Probes
import TLSWire
import Wiring

// The server's wiring of concrete I/O into the engine: the adapters are the ones `mxray check`
// uses (module Wiring); this builds one engine per configured target.

/// Builds one engine per target from the configuration (resolver and TLS settings are shared).
public struct ServerWiring: Sendable {
    public let resolver: any DNSResolver
    let probeOptions: ProbeOptions
    let fetcher: any MTASTSPolicyFetcher
    let caFile: String?
    let perHost: Int

    public init(config: ServeConfig) throws {
        let resolverConfig: ResolverConfiguration
        if config.resolvers.isEmpty {
            do { resolverConfig = try ResolverConfiguration.system() } catch {
                throw ServeConfigError("cannot read /etc/resolv.conf (\(error)); list servers under resolvers:")
            }
        } else {
            resolverConfig = ResolverConfiguration(servers: config.resolvers.compactMap { DNSServerAddress(parsing: $0) },
                                                   timeout: .seconds(2), attempts: 2, source: "config")
        }
        let dns = NetworkDNSResolver(configuration: resolverConfig)
        var probe = ProbeOptions()
        do { probe.tls = try ProbeTLSSettings(extraCAFile: config.caFile) } catch {
            throw ServeConfigError("ca_file \(config.caFile ?? "-"): \(error)")
        }
        probe.perAddressConcurrency = config.perHost
        self.resolver = dns
        self.probeOptions = probe
        self.fetcher = HTTPSMTASTSFetcher(resolver: dns, caFile: config.caFile)
        self.caFile = config.caFile
        self.perHost = config.perHost
    }

    /// The engine for one target: its checks, ports and deadline.
    public func engine(for target: TargetConfig) -> CheckEngine {
        var options = CheckOptions()
        options.timeout = target.timeout
        if let ports = target.ports { options.clientPorts = ports.filter { $0 != 25 } }
        var probe = probeOptions
        probe.relayTest = target.checks.contains(.relay)
        let prober: (any PortProbing)? = target.checks.contains(.probe) ? MailProberAdapter(options: probe) : nil
        let scanner: (any TLSScanning)? = target.checks.contains(.tls) ? TLSScannerAdapter(caFile: caFile, perHostConcurrency: perHost, mode: .full) : nil
        return CheckEngine(resolver: resolver, prober: prober, scanner: scanner,
                           fetcher: target.checks.contains(.mtaSTS) ? fetcher : nil, options: options)
    }
}
