import DNSWire
import Foundation
import MailCore
import MailWire

/// Confirms candidate client settings by probing them (does the port answer, with the published
/// TLS mode, offering authentication?) and, with a password, by logging in with them; then
/// picks per service the setting a client should use. Pure over `PortProbing` and
/// `ClientLoginTesting`, so unit tests run it on fakes.
public struct ClientConfirmation: Sendable {
    public let resolver: any DNSResolver
    public let prober: (any PortProbing)?
    public let loginTester: (any ClientLoginTesting)?

    public init(resolver: any DNSResolver, prober: (any PortProbing)?, loginTester: (any ClientLoginTesting)? = nil) {
        self.resolver = resolver
        self.prober = prober
        self.loginTester = loginTester
    }

    /// `known`: observations already made (the check engine's probes of the MX addresses);
    /// a candidate whose address and port are among them is not probed again.
    public func run(_ g: ClientDiscovery.Gathered, email: String, domain: DomainName, password: String?,
                    known: [PortObservation] = [], deadline: ContinuousClock.Instant) async -> ClientLocateResult {
        let t0 = ContinuousClock.now
        let hosts = Array(Set(g.candidates.map(\.host))).sorted()
        // Each host's first address (what a client connects to first).
        let addresses: [String: String] = await withTaskGroup(of: (String, String?).self) { group in
            for h in hosts {
                group.addTask {
                    if IPAddress(h) != nil { return (h, h) }
                    guard let name = try? DomainName(h) else { return (h, nil) }
                    let a = await resolver.lookupA(name)
                    if let first = a.values.first { return (h, first.description) }
                    return (h, await resolver.lookupAAAA(name).values.first?.description)
                }
            }
            var out: [String: String] = [:]
            for await (h, a) in group { if let a { out[h] = a } }
            return out
        }
        var observations: [String: PortObservation] = [:]
        for o in known { observations["\(o.address)|\(o.port)"] = o }
        if let prober {
            let fresh = await withTaskGroup(of: [PortObservation].self) { group in
                for h in hosts {
                    guard let address = addresses[h] else { continue }
                    let ports = Array(Set(g.candidates.filter { $0.host == h }.map(\.port)))
                        .filter { observations["\(address)|\($0)"] == nil }.sorted()
                    guard !ports.isEmpty else { continue }
                    group.addTask {
                        let left = deadline - ContinuousClock.now
                        guard left > .zero else { return [] }
                        return await withDeadline(deadline) {
                            await prober.probe([ProbeAddress(address: address, host: h)], ports: ports, timeout: left)
                        } ?? []
                    }
                }
                var out: [PortObservation] = []
                for await r in group { out += r }
                return out
            }
            for o in fresh { observations["\(o.address)|\(o.port)"] = o }
        }

        var evidence = g.evidence
        var checked: [CheckedCandidate] = []
        for c in g.candidates {
            guard let address = addresses[c.host] else {
                checked.append(CheckedCandidate(candidate: c, probe: ClientProbeResult(status: .noAddress, detail: "\(c.host) has no A or AAAA record")))
                continue
            }
            guard let obs = observations["\(address)|\(c.port)"] else {
                checked.append(CheckedCandidate(candidate: c, probe: ClientProbeResult(status: .notProbed, address: address,
                                                                                       detail: prober == nil ? "probing disabled" : "not probed before the deadline")))
                continue
            }
            let ev = ProbeAnalysis.evidence(for: obs)
            if !evidence.contains(where: { $0.id == ev.id }) { evidence.append(ev) }
            checked.append(CheckedCandidate(candidate: c, probe: Self.assess(c, obs, evidenceID: ev.id)))
        }

        var loginTried = false
        if let password, let loginTester {
            loginTried = true
            for service in ClientService.allCases {
                var attempts = 0
                for i in Self.order(checked).filter({ checked[$0].candidate.service == service && checked[$0].probe.usable }) {
                    guard attempts < 3, let address = checked[i].probe.address else { break }
                    let left = deadline - ContinuousClock.now
                    guard left > .zero else { break }
                    attempts += 1
                    let user = checked[i].candidate.username ?? email
                    let r = await loginTester.login(checked[i].candidate, address: address, user: user, password: password,
                                                    timeout: min(left, .seconds(30)))
                    checked[i].login = r
                    // Wrong credentials will be wrong everywhere: stop; a broken dialogue: try the next.
                    if r.succeeded || r.status == "rejected" { break }
                }
            }
        }

        var recommended: [CheckedCandidate] = []
        for service in ClientService.allCases {
            let best = Self.order(checked).map { checked[$0] }.first {
                $0.candidate.service == service && $0.probe.usable && ($0.login?.succeeded ?? !loginTried)
            }
            if let best { recommended.append(best) }
        }
        var findings = g.findings + Self.findings(checked)
        if loginTried {
            for c in checked where c.login.map({ !$0.succeeded }) ?? false {
                if let def = FindingCatalog.definition("client.login.failed") {
                    findings.append(def.raise(subject: "\(c.candidate.host):\(c.candidate.port)",
                                              detail: "\(c.candidate.label) as \(c.login!.user): \(c.login!.status)\(c.login!.detail.map { " (\($0))" } ?? "")",
                                              evidence: c.probe.evidenceID.map { [$0] } ?? []))
                }
            }
        }
        return ClientLocateResult(email: email, domain: domain, recommended: recommended, candidates: checked,
                                  sourceNotes: g.notes, findings: findings, evidence: evidence, loginTried: loginTried,
                                  milliseconds: ms(ContinuousClock.now - t0))
    }

    /// Indices of `checked` best first: usable, then security (RFC 8314 §3 prefers implicit
    /// TLS), then the source clients trust most, then SRV priority.
    static func order(_ checked: [CheckedCandidate]) -> [Int] {
        checked.indices.sorted { a, b in
            let x = checked[a], y = checked[b]
            if x.probe.usable != y.probe.usable { return x.probe.usable }
            if x.candidate.security != y.candidate.security { return x.candidate.security < y.candidate.security }
            if x.candidate.bestSource != y.candidate.bestSource { return x.candidate.bestSource < y.candidate.bestSource }
            if x.candidate.priority != y.candidate.priority { return x.candidate.priority < y.candidate.priority }
            return a < b
        }
    }

    /// What one observation says about one candidate.
    static func assess(_ c: ClientCandidate, _ obs: PortObservation, evidenceID: String) -> ClientProbeResult {
        var r = ClientProbeResult(status: .unreachable, address: obs.address, connect: obs.connect.state.rawValue,
                                  detail: "", evidenceID: evidenceID)
        guard obs.connect.state == .open else {
            r.detail = "\(obs.connect.state.rawValue)" + (obs.connect.detail.map { ": \($0)" } ?? "")
            return r
        }
        guard obs.service.mailProtocol != .none else {
            r.status = .openUnverified
            r.detail = "port \(c.port) is open; its protocol is not checked on a non-standard port"
            return r
        }
        guard obs.service.mailProtocol == c.service.wireProtocol else {
            r.detail = "port \(c.port) speaks \(obs.service.mailProtocol.rawValue), not \(c.service.rawValue)"
            return r
        }
        r.tlsVersion = obs.tls?.version
        if let t = obs.tls, t.version != nil { r.certificateValid = (t.chainVerified ?? false) && (t.nameMatches ?? true) }
        // What the port really does, from the probe: implicit TLS on the RFC 8314 ports, else
        // STARTTLS when offered and completed.
        let actual: ClientSecurity
        var offersStartTLS = false
        switch c.service {
        case .smtp: offersStartTLS = obs.smtp?.capabilitiesBefore?.startTLS ?? false
        case .imap: offersStartTLS = obs.imap?.capabilitiesBefore?.startTLS ?? false
        case .pop3: offersStartTLS = obs.pop3?.capabilitiesBefore?.stls ?? false
        }
        if obs.service.implicitTLS { actual = .ssl } else { actual = offersStartTLS ? .starttls : .plain }
        r.authMechanisms = Self.authMechanisms(obs, c.service)
        if obs.outcome == .tlsFailed || (actual != .plain && obs.tls?.version == nil) {
            r.status = .tlsFailed
            r.detail = "the TLS handshake failed" + (obs.tls?.error.map { ": \($0)" } ?? obs.outcomeDetail.map { ": \($0)" } ?? "")
            return r
        }
        if let o = obs.outcome, o != .completed {
            r.detail = "the \(c.service.rawValue) dialogue ended: \(o.rawValue)" + (obs.outcomeDetail.map { " (\($0))" } ?? "")
            return r
        }
        if actual != c.security, c.security != .plain {
            r.status = .securityMismatch
            r.detail = "published as \(c.security.rawValue), but port \(c.port) uses \(actual.rawValue)"
            return r
        }
        if actual == .plain {
            r.status = .insecure
            r.detail = "port \(c.port) offers no TLS"
            return r
        }
        guard !r.authMechanisms.isEmpty else {
            r.status = .noAuth
            r.detail = "no authentication offered after TLS"
            return r
        }
        r.status = .confirmed
        r.detail = "\(actual.rawValue) \(r.tlsVersion ?? ""), AUTH \(r.authMechanisms.joined(separator: " "))"
            + (r.certificateValid == false ? "; the certificate is not valid for \(c.host)" : "")
        return r
    }

    /// Mechanisms offered once TLS is up (RFC 4954 §4, RFC 9051 §6.2.2, RFC 2449 §6.3).
    static func authMechanisms(_ obs: PortObservation, _ service: ClientService) -> [String] {
        switch service {
        case .smtp:
            return (obs.smtp?.capabilitiesAfter ?? obs.smtp?.capabilitiesBefore)?.authMechanisms ?? []
        case .imap:
            guard let caps = obs.imap?.capabilitiesAfter ?? obs.imap?.capabilitiesBefore else { return [] }
            return caps.authMechanisms + (caps.loginDisabled ? [] : ["LOGIN-command"])
        case .pop3:
            guard let caps = obs.pop3?.capabilitiesAfter ?? obs.pop3?.capabilitiesBefore else { return [] }
            return (caps.parameters("SASL") ?? []) + (caps.user ? ["USER"] : [])
        }
    }

    /// Published settings that the probe contradicts (RFC 6186 §4, RFC 8314 §5.1: a client
    /// trusts these; a wrong one breaks every client that follows it).
    static func findings(_ checked: [CheckedCandidate]) -> [Finding] {
        var out: [Finding] = []
        for c in checked {
            let published = c.candidate.sources.filter { $0.kind.published }
            guard !published.isEmpty else { continue }
            let id: String
            switch c.probe.status {
            case .unreachable, .noAddress, .tlsFailed: id = "client.config.unreachable"
            case .securityMismatch: id = "client.config.security-mismatch"
            case .noAuth: id = "client.config.no-auth"
            case .insecure where c.candidate.security != .plain: id = "client.config.security-mismatch"
            default: continue
            }
            guard let def = FindingCatalog.definition(id) else { continue }
            out.append(def.raise(subject: "\(c.candidate.host):\(c.candidate.port)",
                                 detail: "\(c.candidate.label) (from \(published.map(\.detail).joined(separator: "; "))): \(c.probe.detail)",
                                 evidence: published.compactMap(\.evidenceID) + (c.probe.evidenceID.map { [$0] } ?? [])))
        }
        return out
    }
}
