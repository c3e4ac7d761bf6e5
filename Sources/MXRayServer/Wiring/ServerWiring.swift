import Diagnosis
import DNSClient
import DNSWire
import Foundation
import MailAuth
import MailWire
import NIOCore
import Probes
import TLSWire

// The server's own wiring of concrete I/O into the engine. `mxray check` has the same in
// MXRayCLI/Wiring/CheckWiring.swift; MXRayServer may not import MXRayCLI, so until that wiring
// moves down into a module both can import, the server builds its engine here.

/// `PortProbing` over the real `MailProber`, its overall deadline set to what the engine has left.
struct ServerPortProber: PortProbing {
    let options: ProbeOptions

    func probe(_ targets: [ProbeAddress], ports: [Int], timeout: Duration) async -> [PortObservation] {
        var o = options
        o.overallTimeout = nioTime(timeout)
        o.connectTimeout = min(o.connectTimeout, o.overallTimeout)
        return await MailProber(options: o).probe(targets.map { ProbeTarget(address: $0.address, host: $0.host) }, ports: ports)
    }
}

/// `TLSScanning` over the real `TLSScanner` (STARTTLS chosen by port).
struct ServerTLSScanner: TLSScanning {
    let caFile: String?
    let perHost: Int

    func scan(host: String, address: String, port: Int, timeout: Duration) async -> TLSScanResult {
        var o = TLSScanOptions(host: host, address: address, port: port, starttls: StartTLSProtocol.forPort(port))
        o.caFile = caFile
        o.perHostConcurrency = perHost
        o.overallTimeout = nioTime(timeout)
        return await TLSScanner(options: o).scan()
    }
}

func nioTime(_ d: Duration) -> TimeAmount {
    let c = d.components
    return .nanoseconds(max(1, c.seconds * 1_000_000_000 + c.attoseconds / 1_000_000_000))
}

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
        self.fetcher = ServerMTASTSFetcher(resolver: dns, caFile: config.caFile)
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
        let prober: (any PortProbing)? = target.checks.contains(.probe) ? ServerPortProber(options: probe) : nil
        let scanner: (any TLSScanning)? = target.checks.contains(.tls) ? ServerTLSScanner(caFile: caFile, perHost: perHost) : nil
        return CheckEngine(resolver: resolver, prober: prober, scanner: scanner,
                           fetcher: target.checks.contains(.mtaSTS) ? fetcher : nil, options: options)
    }
}
