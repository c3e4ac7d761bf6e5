import MailCore
import MailWire
import NIOCore
import NIOPosix

/// One address to probe: the IP the caller resolved, and the name for SNI and reports.
public struct ProbeTarget: Sendable, Hashable {
    public let address: String
    public let host: String?

    public init(address: String, host: String? = nil) {
        self.address = address
        self.host = host
    }
}

/// Probes ports on addresses: every address in parallel, at most `perAddressConcurrency`
/// connections to one address at a time, all under one overall deadline (structured
/// concurrency: task groups, no unstructured tasks).
public struct MailProber: Sendable {
    public let options: ProbeOptions
    let group: any EventLoopGroup

    public static let defaultPorts = [25, 465, 587, 143, 993, 110, 995]

    /// Without TLS settings in `options`, the system trust roots are used (STARTTLS and the
    /// implicit-TLS ports are always tried).
    public init(options: ProbeOptions, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        var options = options
        if options.tls == nil { options.tls = try? ProbeTLSSettings() }
        self.options = options
        self.group = group
    }

    /// Results in the order of `targets` × `ports`. `services` names the service of a port that
    /// does not run its usual one (a test server, SMTP on 2525 …).
    public func probe(_ targets: [ProbeTarget], ports: [Int], services: [Int: MailService] = [:]) async -> [PortObservation] {
        let deadlines = Deadlines(overall: .now() + options.overallTimeout)
        let jobs = targets.flatMap { t in ports.map { (t, $0) } }
        var results = [PortObservation?](repeating: nil, count: jobs.count)
        await withTaskGroup(of: [(Int, PortObservation)].self) { group in
            for target in targets {
                let indices = jobs.indices.filter { jobs[$0].0 == target }
                group.addTask {
                    await self.probeAddress(target, jobs: indices.map { ($0, jobs[$0].1) }, services: services, deadlines: deadlines)
                }
            }
            for await batch in group {
                for (i, obs) in batch { results[i] = obs }
            }
        }
        return results.compactMap { $0 }
    }

    /// The ports of one address, with at most `perAddressConcurrency` running at once.
    private func probeAddress(_ target: ProbeTarget, jobs: [(Int, Int)], services: [Int: MailService],
                              deadlines: Deadlines) async -> [(Int, PortObservation)] {
        let limit = max(1, options.perAddressConcurrency)
        return await withTaskGroup(of: (Int, PortObservation).self) { group in
            var pending = jobs[...]
            var out: [(Int, PortObservation)] = []
            for _ in 0..<limit {
                guard let (i, port) = pending.popFirst() else { break }
                group.addTask { (i, await self.probePort(target, port: port, service: services[port], deadlines: deadlines)) }
            }
            for await done in group {
                out.append(done)
                if let (i, port) = pending.popFirst() {
                    group.addTask { (i, await self.probePort(target, port: port, service: services[port], deadlines: deadlines)) }
                }
            }
            return out
        }
    }

    /// Probes one port under a deadline of its own; `service` overrides the port's usual one
    /// (a server on a non-standard port).
    public func probePort(_ target: ProbeTarget, port: Int, as service: MailService? = nil) async -> PortObservation {
        await probePort(target, port: port, service: service, deadlines: Deadlines(overall: .now() + options.overallTimeout))
    }

    func probePort(_ target: ProbeTarget, port: Int, service: MailService? = nil, deadlines: Deadlines) async -> PortObservation {
        let service = service ?? MailService.forPort(port)
        let label = "\(target.host ?? target.address):\(port)"
        let connectTimeout = min(options.connectTimeout, max(.milliseconds(1), deadlines.overall - .now()))
        let (connection, connect, transcript) = await ProbeConnection.connect(
            address: target.address, port: port, group: group, timeout: connectTimeout, label: label)
        var obs = PortObservation(address: target.address, host: target.host, port: port, service: service,
                                  connect: connect, transcript: transcript)
        guard let connection else { return obs }
        switch service.mailProtocol {
        case .smtp: await SMTPProber(options: options, deadlines: deadlines).run(connection, into: &obs)
        case .imap: await IMAPProber(options: options, deadlines: deadlines).run(connection, into: &obs)
        case .pop3: await POP3Prober(options: options, deadlines: deadlines).run(connection, into: &obs)
        case .none:
            obs.outcome = .completed
            obs.outcomeDetail = "no mail protocol known for this port: connect only"
        }
        await connection.close()
        obs.transcript = connection.transcript
        return obs
    }
}
