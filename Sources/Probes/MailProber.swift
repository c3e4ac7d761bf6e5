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
        // A second connection for VRFY/EXPN only when every port and every second session fit
        // under the cap at once: the cap then holds without queueing anything behind them.
        let seconds = jobs.filter { usesAddressQuerySession(services[$0.1] ?? MailService.forPort($0.1)) }.count
        let second = options.addressQueriesOnSecondConnection && jobs.count + seconds <= limit
        return await withTaskGroup(of: (Int, PortObservation).self) { group in
            var pending = jobs[...]
            var out: [(Int, PortObservation)] = []
            for _ in 0..<limit {
                guard let (i, port) = pending.popFirst() else { break }
                group.addTask { (i, await self.probePort(target, port: port, service: services[port], deadlines: deadlines, secondConnection: second)) }
            }
            for await done in group {
                out.append(done)
                if let (i, port) = pending.popFirst() {
                    group.addTask { (i, await self.probePort(target, port: port, service: services[port], deadlines: deadlines, secondConnection: second)) }
                }
            }
            return out
        }
    }

    /// Probes one port under a deadline of its own; `service` overrides the port's usual one
    /// (a server on a non-standard port).
    public func probePort(_ target: ProbeTarget, port: Int, as service: MailService? = nil) async -> PortObservation {
        await probePort(target, port: port, service: service, deadlines: Deadlines(overall: .now() + options.overallTimeout),
                        secondConnection: options.addressQueriesOnSecondConnection && options.perAddressConcurrency >= 2)
    }

    /// SMTP with STARTTLS (or plaintext): EXPN can be asked on a second connection beside it
    /// (`SMTPAddressQuerySession`). Not on implicit TLS, where the session is short enough.
    func usesAddressQuerySession(_ service: MailService) -> Bool {
        service.mailProtocol == .smtp && !service.implicitTLS && options.addressQueryTest
    }

    func probePort(_ target: ProbeTarget, port: Int, service: MailService? = nil, deadlines: Deadlines,
                   secondConnection: Bool = false) async -> PortObservation {
        let service = service ?? MailService.forPort(port)
        if secondConnection, usesAddressQuerySession(service) {
            // The second connection is opened at the same time as the first: its EXPN must be
            // answered by the time the main session has VRFY's answer.
            let session = SMTPAddressQuerySession(options: options, deadlines: deadlines, group: group)
            let stopwatch = Stopwatch()
            let handOver = group.next().makePromise(of: SMTPAddressQueries.self)
            let control = SecondSessionControl()
            let label = "\(target.host ?? target.address):\(port)"
            return await withTaskGroup(of: SMTPAddressQueries.self) { tasks in
                tasks.addTask {
                    await session.run(target, port: port, label: label, stopwatch: stopwatch, handOver: handOver, control: control)
                }
                var obs = await probePort(target, port: port, service: service, deadlines: deadlines, stopwatch: stopwatch,
                                          addressQueries: SecondSession(answer: handOver.futureResult, control: control))
                // Not needed any more when it has not answered yet (the main session ended early).
                control.stopUnlessAnswered()
                let second = await tasks.next()!
                // Evidence only where the main session went as far as the question.
                if obs.connect.state == .open { second.merge(into: &obs) }
                return obs
            }
        }
        return await probePort(target, port: port, service: service, deadlines: deadlines, stopwatch: Stopwatch(), addressQueries: nil)
    }

    private func probePort(_ target: ProbeTarget, port: Int, service: MailService, deadlines: Deadlines, stopwatch: Stopwatch,
                           addressQueries: SecondSession?) async -> PortObservation {
        let label = "\(target.host ?? target.address):\(port)"
        let connectTimeout = min(options.connectTimeout, max(.milliseconds(1), deadlines.overall - .now()))
        let (connection, connect, transcript) = await ProbeConnection.connect(
            address: target.address, port: port, group: group, timeout: connectTimeout, label: label, stopwatch: stopwatch)
        var obs = PortObservation(address: target.address, host: target.host, port: port, service: service,
                                  connect: connect, transcript: transcript)
        guard let connection else { return obs }
        switch service.mailProtocol {
        case .smtp: await SMTPProber(options: options, deadlines: deadlines).run(connection, into: &obs, addressQueries: addressQueries)
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
