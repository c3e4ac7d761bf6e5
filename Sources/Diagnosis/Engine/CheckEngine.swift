import DNSWire
import Foundation
import MailAuth
import MailCore
import MailWire
import TLSWire

/// One address to probe, with the host name for SNI and reports.
public struct ProbeAddress: Sendable, Hashable {
    public let address: String
    public let host: String?
    /// Where the MX name's CNAME chain ends, when it is an alias: RFC 7672 §2.2.2 looks for
    /// TLSA records at the expanded name first, then at the MX name.
    public let canonicalHost: String?

    public init(address: String, host: String?, canonicalHost: String? = nil) {
        self.address = address
        self.host = host
        self.canonicalHost = canonicalHost
    }
}

/// The probes as the engine sees them (the I/O layer implements it; tests use fakes). The
/// implementation keeps at most its per-host cap of connections to one address and returns by
/// `timeout`.
public protocol PortProbing: Sendable {
    func probe(_ targets: [ProbeAddress], ports: [Int], timeout: Duration) async -> [PortObservation]
}

/// The TLS scanner as the engine sees it: one host, address and port, STARTTLS chosen by port.
public protocol TLSScanning: Sendable {
    func scan(host: String, address: String, port: Int, timeout: Duration) async -> TLSScanResult
}

/// Switches and limits of one check.
public struct CheckOptions: Sendable {
    /// One deadline for the whole check (`--timeout`).
    public var timeout: Duration = .seconds(60)
    public var symptom: Symptom?
    /// Ports probed on every MX address.
    public var mxPorts = [25]
    /// Client ports, probed on the MX addresses unless a hosted provider serves clients elsewhere.
    public var clientPorts = [465, 587, 143, 993, 110, 995]
    /// Ports whose TLS is scanned in depth (versions, suites, certificate, DANE) when open.
    public var tlsPorts = [25]
    public var dkimSelectors: [String] = []
    /// Start an address's TLS scan about one round trip after its probes (see `runHost`): right
    /// when the scan is shorter than the probes (the quick assessment), not when it is longer
    /// (the full scan), whose wall time it would lengthen by as much.
    public var tlsScanHeadStart = true

    public init() {}
}

/// The check engine: from a target to one `Report`. Stages start as soon as their inputs exist
/// (auth with the domain, locate with the domain, probes per address as soon as locate has
/// addresses, the TLS scan of an address as soon as its probe saw port 25 open), all under
/// one overall deadline. A stage that runs out of time, or whose input is missing, says
/// "could not test" in the report instead of failing the run.
public struct CheckEngine: Sendable {
    public let resolver: any DNSResolver
    public let prober: (any PortProbing)?
    public let scanner: (any TLSScanning)?
    public let fetcher: (any MTASTSPolicyFetcher)?
    public var options: CheckOptions
    /// Fetches autoconfig/Autodiscover documents for the client-settings check; nil skips it.
    public var clientFetcher: (any HTTPFetching)?
    /// Injected wall clock for the report's start/end (tests fix it).
    public var now: @Sendable () -> Date

    public init(resolver: any DNSResolver, prober: (any PortProbing)?, scanner: (any TLSScanning)?,
                fetcher: (any MTASTSPolicyFetcher)?, options: CheckOptions = CheckOptions(),
                now: @escaping @Sendable () -> Date = { Date() }) {
        self.resolver = resolver
        self.prober = prober
        self.scanner = scanner
        self.fetcher = fetcher
        self.options = options
        self.now = now
    }

    /// What the per-address pipeline produced.
    struct HostRun: Sendable {
        var ports: [PortObservation] = []
        var tls: [TLSScanResult] = []
        var probeTimedOut = false
        var tlsTimedOut = false
    }

    public func run(_ target: CheckTarget) async -> Report {
        let started = now()
        let clock = ContinuousClock()
        let deadline = clock.now + options.timeout
        var acc = ReportAccumulator(target: target, symptom: options.symptom)

        // Auth needs only the domain: it starts at once, alongside locate.
        async let authTask = offCriticalPath { await runAuth(target, deadline: deadline) }

        // Locate runs in full (reverse DNS, name servers, DNSSEC) while the probes start as soon
        // as the MX set and its addresses are known: they are all the probes need.
        var addresses: [ProbeAddress] = []
        var runs: [HostRun] = []
        var probeMilliseconds = 0.0
        var byMX: ProviderMatch?
        var clientResult: ClientLocateResult?
        var clientMilliseconds = 0.0
        if target.kind != .host, let domain = target.domain {
            async let locateTask = offCriticalPath { await runLocate(domain, deadline: deadline) }
            async let clientTask = offCriticalPath { await discoverClients(target, domain, deadline: deadline) }
            let lookup = clock.now
            addresses = await withDeadline(deadline) { await quickTargets(domain) } ?? []
            byMX = ProviderCatalog.match(mxHosts: addresses.compactMap(\.host))
            let t0 = clock.now
            // MX, then A/AAAA: two round trips to the resolver; half of that stands for one.
            let roundTrip = options.tlsScanHeadStart ? min((t0 - lookup) / 2, .milliseconds(200)) : .zero
            runs = await probeAll(addresses, ports: ports(for: byMX), deadline: deadline, scanHeadStart: roundTrip)
            probeMilliseconds = ms(clock.now - t0)
            let (locate, locateMilliseconds) = await locateTask
            acc.locate(locate, milliseconds: locateMilliseconds)
            if let gathered = await clientTask {
                clientResult = await confirmClients(gathered, target: target, domain: domain, known: runs.flatMap(\.ports), deadline: deadline)
            }
            clientMilliseconds = ms(clock.now - t0)
        } else {
            let t0 = clock.now
            addresses = await hostAddresses(target)
            acc.stage(StageResult(name: Stage.locate, status: addresses.isEmpty ? .couldNotTest : .completed,
                                  detail: addresses.isEmpty ? "\(target.input) has no address" : "addresses: \(addresses.map(\.address).joined(separator: ", "))",
                                  milliseconds: ms(clock.now - t0)))
            acc.hostTarget(addresses)
            byMX = ProviderCatalog.match(mxHosts: addresses.compactMap(\.host))
            let t1 = clock.now
            runs = await probeAll(addresses, ports: ports(for: byMX), deadline: deadline)
            probeMilliseconds = ms(clock.now - t1)
        }
        let mxNames = Set(addresses.compactMap(\.host))
        acc.probes(runs, probed: prober != nil && !addresses.isEmpty, scanned: scanner != nil,
                   haveAddresses: !addresses.isEmpty, milliseconds: probeMilliseconds)

        if let auth = await authTask { acc.auth(auth.0, milliseconds: auth.1) } else {
            acc.stage(StageResult(name: Stage.auth, status: .skipped, detail: "a host target has no domain policies to check", milliseconds: 0))
        }
        acc.clientConfig(clientResult, asked: clientFetcher != nil && target.kind != .host, milliseconds: clientMilliseconds)
        acc.provider(byMX, mxNames: mxNames)
        acc.httpCDN()
        acc.conclude(mxNames: mxNames, clientPorts: Set(options.clientPorts))
        return acc.report(resolvers: resolverNames(acc), startedAt: started, finishedAt: now())
    }

    func resolverNames(_ acc: ReportAccumulator) -> [String] { acc.resolvers }

    /// The auth stage with its duration; nil for a host target (no domain policies).
    func runAuth(_ target: CheckTarget, deadline: ContinuousClock.Instant) async -> (AuthResult?, Double)? {
        guard target.kind != .host, let domain = target.domain else { return nil }
        let t0 = ContinuousClock.now
        let stage = AuthStage(resolver: resolver, fetcher: fetcher, dkimSelectors: options.dkimSelectors)
        let r = await withDeadline(deadline) { await stage.run(domain) }
        return (r, ms(ContinuousClock.now - t0))
    }

    /// Ports for the MX addresses: client ports too, unless a hosted provider (by MX name)
    /// serves clients on other hosts.
    func ports(for provider: ProviderMatch?) -> [Int] {
        options.mxPorts + ((provider?.provider.selfHosted ?? true) ? options.clientPorts : [])
    }

    func runLocate(_ domain: DomainName, deadline: ContinuousClock.Instant) async -> (LocateResult?, Double) {
        let t0 = ContinuousClock.now
        let stage = LocateStage(resolver: resolver)
        let r = await withDeadline(deadline) { await stage.run(domain) }
        return (r, ms(ContinuousClock.now - t0))
    }

    /// The addresses to probe, from MX and A/AAAA alone (RFC 5321 §5.1: MX in preference order,
    /// the domain itself when there is no MX, nothing for a null MX per RFC 7505). The full
    /// locate stage reports on the same answers; the resolver's cache makes the overlap cheap.
    func quickTargets(_ domain: DomainName, maxHosts: Int = 10) async -> [ProbeAddress] {
        let mx = await resolver.lookupMX(domain)
        var hosts: [DomainName]
        switch mx.status {
        case .answer: hosts = mx.values.filter { !$0.isNullMX }.map(\.exchange)
        case .nodata: hosts = [domain]
        default: return []
        }
        hosts = Array(hosts.prefix(maxHosts).filter { !LocateStage.isIPLiteral($0) })
        return await withTaskGroup(of: (Int, [ProbeAddress]).self) { group in
            for (i, host) in hosts.enumerated() {
                group.addTask {
                    async let a = resolver.lookupA(host)
                    async let aaaa = resolver.lookupAAAA(host)
                    let (v4, v6) = await (a, aaaa)
                    // RFC 7672 §2.2.2: the expanded name only counts when the chain is DNSSEC-secure.
                    let chain = v4.answer.cnameChain.isEmpty ? v6.answer.cnameChain : v4.answer.cnameChain
                    let secure = v4.authenticated && (v6.values.isEmpty || v6.authenticated)
                    let canonical = secure ? chain.last?.description : nil
                    return (i, (v4.values + v6.values).map {
                        ProbeAddress(address: $0.description, host: host.description, canonicalHost: canonical)
                    })
                }
            }
            var out: [(Int, [ProbeAddress])] = []
            for await r in group { out.append(r) }
            return out.sorted { $0.0 < $1.0 }.flatMap(\.1)
        }
    }

    /// Every address probed, then TLS-scanned. One task per IP address: names that share an
    /// address are probed one after the other, so the per-host cap holds per address.
    func probeAll(_ addresses: [ProbeAddress], ports: [Int], deadline: ContinuousClock.Instant,
                  scanHeadStart: Duration = .zero) async -> [HostRun] {
        guard let prober, !addresses.isEmpty else { return [] }
        var byIP: [String: [(Int, ProbeAddress)]] = [:]
        for (i, a) in addresses.enumerated() { byIP[a.address, default: []].append((i, a)) }
        return await withTaskGroup(of: [(Int, HostRun)].self) { group in
            for entries in byIP.values {
                // The probes' round trips are the check's critical path: their tasks go first
                // when the cores are busy with the other stages (see `offCriticalPath`).
                group.addTask(priority: .high) {
                    var out: [(Int, HostRun)] = []
                    for (i, address) in entries {
                        out.append((i, await runHost(address, ports: ports, prober: prober, deadline: deadline, scanHeadStart: scanHeadStart)))
                    }
                    return out
                }
            }
            var out: [(Int, HostRun)] = []
            for await r in group { out += r }
            return out.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }

    /// Probe one address and, beside it, scan TLS on `tlsPorts`: the scan needs nothing from
    /// the probe (it connects and talks STARTTLS itself), so it does not wait for it. A scan of
    /// a port the probe did not see open is dropped, as if it had not run.
    ///
    /// The scan's connections start `scanHeadStart` (about one round trip) after the probes':
    /// the server then accepts and greets the probe sessions, which carry the check's critical
    /// path, before the burst of hellos (a Postfix master forks an smtpd per connection), and
    /// the scanner plans its hellos while the probes wait on the network. The scan still ends
    /// well before the probes.
    func runHost(_ address: ProbeAddress, ports: [Int], prober: any PortProbing, deadline: ContinuousClock.Instant,
                 scanHeadStart: Duration = .zero) async -> HostRun {
        var run = HostRun()
        let left = deadline - ContinuousClock.now
        guard left > .zero else { run.probeTimedOut = true; return run }
        async let scans = scanTLS(address, ports: options.tlsPorts.filter(ports.contains), deadline: deadline, headStart: scanHeadStart)
        run.ports = await withDeadline(deadline) { await prober.probe([address], ports: ports, timeout: left) } ?? []
        if run.ports.isEmpty { run.probeTimedOut = true }
        for (port, scan) in await scans {
            guard run.ports.contains(where: { $0.port == port && $0.connect.state == .open }) else { continue }
            if let scan { run.tls.append(scan) } else { run.tlsTimedOut = true }
        }
        return run
    }

    /// The TLS scans of one address, with DANE (nil: the deadline came first).
    func scanTLS(_ address: ProbeAddress, ports: [Int], deadline: ContinuousClock.Instant,
                 headStart: Duration = .zero) async -> [(Int, TLSScanResult?)] {
        guard let scanner, !ports.isEmpty else { return [] }
        let host = address.host ?? address.address
        let resolver = self.resolver
        return await withTaskGroup(of: (Int, TLSScanResult?).self) { group in
            for port in ports {
                group.addTask(priority: Self.offCriticalPathPriority) {
                    guard deadline > ContinuousClock.now else { return (port, nil) }
                    let scan: TLSScanResult? = await withDeadline(deadline) {
                        // The TLSA lookups need no certificate: asked beside the scan, they are in
                        // the run's resolver cache when DANE is evaluated after it (one round
                        // trip to the resolver less at the end of the TLS stage).
                        async let prefetch: Void = Self.prefetchTLSA(resolver, names: [address.canonicalHost, host].compactMap { $0 },
                                                                     port: port, when: address.host != nil)
                        if headStart > .zero { try? await Task.sleep(for: headStart) }
                        let remaining = deadline - ContinuousClock.now
                        var s = await scanner.scan(host: host, address: address.address, port: port, timeout: remaining)
                        await prefetch
                        if s.status == .completed, address.host != nil {
                            // RFC 7672 §2.2: TLSA at _25._tcp.<MX host>; §2.2.2: for an alias, the
                            // expanded name first, then the original name.
                            let dane = TLSDANECheck(resolver: resolver)
                            for name in [address.canonicalHost, host].compactMap({ $0 }) {
                                let report = await dane.evaluate(host: name, port: port, certificate: s.certificate)
                                s.dane = report
                                if !report.records.isEmpty { break }
                            }
                        }
                        return s
                    }
                    return (port, scan)
                }
            }
            var out: [(Int, TLSScanResult?)] = []
            for await r in group { out.append(r) }
            return out.sorted { $0.0 < $1.0 }
        }
    }

    /// Asks for the TLSA records DANE will look at (RFC 7672 §2.2), answers unused here.
    static func prefetchTLSA(_ resolver: any DNSResolver, names: [String], port: Int, when wanted: Bool) async {
        guard wanted else { return }
        await withTaskGroup(of: Void.self) { group in
            for name in names {
                let text = "_\(port)._tcp.\(name.hasSuffix(".") ? String(name.dropLast()) : name)"
                guard let domain = try? DomainName(text) else { continue }
                group.addTask { _ = await resolver.lookupTLSA(domain) }
            }
        }
    }

    /// A host target's addresses: the literal, or A/AAAA through the resolver.
    func hostAddresses(_ target: CheckTarget) async -> [ProbeAddress] {
        if let a = target.address { return [ProbeAddress(address: a, host: nil)] }
        guard let name = target.domain else { return [] }
        async let a = resolver.lookupA(name)
        async let aaaa = resolver.lookupAAAA(name)
        let all = await a.values.map(\.description) + aaaa.values.map(\.description)
        return all.map { ProbeAddress(address: $0, host: name.description) }
    }
}

/// The priority of the stages beside the probes: auth, locate, client settings, the TLS scan.
/// Their CPU work (DNSSEC and DKIM keys, the scanner's hello planning, HTTPS fetches) then
/// does not hold back the short steps of the probe sessions, each of which starts a round
/// trip of the critical path (issue 7's benchmark).
extension CheckEngine {
    static let offCriticalPathPriority = TaskPriority.utility

    /// Runs `operation` as a child task at `offCriticalPathPriority`.
    func offCriticalPath<T: Sendable>(_ operation: @escaping @Sendable () async -> T) async -> T {
        await withTaskGroup(of: T.self) { group in
            group.addTask(priority: Self.offCriticalPathPriority) { await operation() }
            return await group.next()!
        }
    }
}

/// Runs `operation` until `deadline`; nil when the deadline came first. The operation is then
/// cancelled; the stages below also carry the deadline, so they return promptly.
func withDeadline<T: Sendable>(_ deadline: ContinuousClock.Instant, _ operation: @escaping @Sendable () async -> T) async -> T? {
    await withTaskGroup(of: T?.self) { group in
        group.addTask { await operation() }
        group.addTask {
            try? await Task.sleep(until: deadline, clock: .continuous)
            return nil
        }
        let first = await group.next() ?? nil
        group.cancelAll()
        return first
    }
}

func ms(_ d: Duration) -> Double {
    let c = d.components
    return Double(c.seconds) * 1000 + Double(c.attoseconds) / 1e15
}
