import Foundation
import MailCore
import MailWire
import TLSWire

/// Gathers the stages' results into one report: stage statuses, findings, evidence, facts, and
/// finally the fault-tree conclusions. Sequential and deterministic (the engine feeds it in a
/// fixed order), so the same observations always give the same report.
struct ReportAccumulator {
    let target: CheckTarget
    let symptom: Symptom?
    var stages: [StageResult] = []
    var findings: [Finding] = []
    var evidence: [Evidence] = []
    var resolvers: [String] = []
    var untested: Set<String> = []
    var hosts: [ReportHost] = []
    var locateResult: LocateResult?
    var authResult: AuthResult?
    var ports: [PortObservation] = []
    var tls: [TLSScanResult] = []
    var providerMatch: ProviderMatch?
    var conclusions: [FaultTreeConclusion] = []

    init(target: CheckTarget, symptom: Symptom?) {
        self.target = target
        self.symptom = symptom
    }

    mutating func stage(_ s: StageResult) { stages.append(s) }

    mutating func add(_ fs: [Finding], _ ev: [Evidence]) {
        findings += fs
        for e in ev where !evidence.contains(where: { $0.id == e.id }) { evidence.append(e) }
    }

    /// A stage that could not test: the result, a notice finding with a note as evidence, and the
    /// finding prefixes the fault trees must treat as unknown.
    mutating func couldNotTest(_ name: String, _ detail: String, milliseconds: Double, prefixes: [String]) {
        stages.append(StageResult(name: name, status: .couldNotTest, detail: detail, milliseconds: milliseconds, findingCount: 1))
        let ev = Evidence(id: "stage:\(name)", kind: .note, title: "Stage \(name)", lines: [detail])
        if let f = FindingCatalog.definition("check.stage.could-not-test")?.raise(subject: "stage \(name)", detail: detail, evidence: [ev.id]) {
            add([f], [ev])
        }
        untested.formUnion(prefixes + CheckPlan.untestedPrefixes(when: name))
    }

    static let dnsPrefixes = ["dns.", "mx.", "bounce", "provider."]
    static let authPrefixes = ["spf.", "dmarc.", "dkim.", "mtasts.", "tlsrpt.", "bimi.", "provider.spf"]
    static let probePrefixes = ["port.", "probe.", "smtp.", "imap.", "pop3.", "mx.port25", "client.", "check.mx"]
    static let tlsPrefixes = ["tls.", "dane."]

    mutating func locate(_ r: LocateResult?, milliseconds: Double) {
        guard let r else {
            couldNotTest(Stage.locate, "the overall deadline passed before the MX set was known", milliseconds: milliseconds,
                         prefixes: Self.dnsPrefixes + Self.probePrefixes + Self.tlsPrefixes)
            return
        }
        locateResult = r
        resolvers = r.resolvers
        add(r.findings, r.evidence)
        let status: StageResult.Status
        switch r.mxKind {
        case .failed: status = .couldNotTest; untested.formUnion(Self.dnsPrefixes)
        case .nxdomain, .none, .nullMX: status = .completed
        case .explicit, .implicit: status = r.hosts.contains { $0.status == .failed } ? .partial : .completed
        }
        let detail: String
        switch r.mxKind {
        case .explicit: detail = "\(r.mxRecords.count) MX, \(r.hosts.flatMap(\.addresses).count) addresses, DNSSEC \(r.dnssec.state.rawValue)"
        case .implicit: detail = "no MX: the domain's own address is used (implicit MX)"
        case .nullMX: detail = "null MX: the domain accepts no mail"
        case .none: detail = "no MX and no address"
        case .nxdomain: detail = "the domain does not exist"
        case .failed: detail = r.failure ?? "the MX lookup failed"
        }
        stages.append(StageResult(name: Stage.locate, status: status, detail: detail, milliseconds: milliseconds, findingCount: r.findings.count))
        hosts = r.hosts.map { ReportHost(name: $0.name.description, preference: Int($0.preference), addresses: $0.addresses.map { $0.address.description }) }
    }

    mutating func hostTarget(_ addresses: [ProbeAddress]) {
        guard !addresses.isEmpty else { return }
        hosts = [ReportHost(name: addresses.first?.host ?? target.input, preference: 0, addresses: addresses.map(\.address))]
    }

    mutating func auth(_ r: AuthResult?, milliseconds: Double) {
        guard let r else {
            couldNotTest(Stage.auth, "the overall deadline passed before SPF/DKIM/DMARC/MTA-STS were checked",
                         milliseconds: milliseconds, prefixes: Self.authPrefixes)
            return
        }
        authResult = r
        add(r.findings, r.evidence)
        stages.append(StageResult(name: Stage.auth, status: .completed,
                                  detail: "SPF \(r.spf.status), DMARC \(r.dmarc.status)\(r.dmarc.policy.map { " p=\($0)" } ?? ""), DKIM keys \(r.dkim.keys.count), MTA-STS \(r.mtaSTS.mode ?? r.mtaSTS.status)",
                                  milliseconds: milliseconds, findingCount: r.findings.count))
    }

    mutating func probes(_ runs: [CheckEngine.HostRun], probed: Bool, scanned: Bool, haveAddresses: Bool, milliseconds: Double) {
        ports = runs.flatMap(\.ports)
        tls = runs.flatMap(\.tls)
        // Probe stage.
        if !haveAddresses {
            // Nothing to probe is not "could not test": a null MX or a missing MX set leaves no
            // port to fault. (A locate stage that failed marked these untested already.)
            stages.append(StageResult(name: Stage.probe, status: .skipped, detail: "no mail host address to probe", milliseconds: 0))
        } else if !probed {
            stages.append(StageResult(name: Stage.probe, status: .skipped, detail: "probing disabled", milliseconds: 0))
            untested.formUnion(Self.probePrefixes)
        } else if runs.allSatisfy(\.probeTimedOut) {
            couldNotTest(Stage.probe, "the overall deadline passed before any port was probed", milliseconds: milliseconds, prefixes: Self.probePrefixes)
        } else {
            let analysis = ProbeAnalysis.analyse(ports)
            add(analysis.findings, analysis.evidence)
            let open = ports.filter { $0.connect.state == .open }.count
            let untestable = ports.filter(\.couldNotTest).count
            stages.append(StageResult(name: Stage.probe, status: untestable > 0 || runs.contains(where: \.probeTimedOut) ? .partial : .completed,
                                      detail: "\(ports.count) ports on \(runs.count) addresses: \(open) open, \(untestable) could not test",
                                      milliseconds: milliseconds, findingCount: analysis.findings.count))
            for i in hosts.indices {
                let software = ports.first { $0.host == hosts[i].name && $0.smtp?.fingerprint != nil }?.smtp?.fingerprint
                hosts[i].software = software?.description
            }
        }
        // TLS stage.
        if !haveAddresses {
            stages.append(StageResult(name: Stage.tls, status: .skipped, detail: "no mail host address to scan", milliseconds: 0))
        } else if !scanned || !probed {
            stages.append(StageResult(name: Stage.tls, status: .skipped, detail: "TLS scan disabled", milliseconds: 0))
            untested.formUnion(Self.tlsPrefixes)
        } else if tls.isEmpty {
            let timedOut = runs.contains(where: \.tlsTimedOut)
            if timedOut {
                couldNotTest(Stage.tls, "the overall deadline passed before the TLS scan", milliseconds: 0, prefixes: Self.tlsPrefixes)
            } else {
                stages.append(StageResult(name: Stage.tls, status: .skipped, detail: "no scanned port was open", milliseconds: 0))
                untested.formUnion(Self.tlsPrefixes)
            }
        } else {
            var count = 0
            for scan in tls {
                let a = TLSAssessment(scan: scan)
                add(a.findings, a.evidence)
                count += a.findings.count
            }
            let grades = tls.map { "\($0.subject) \(TLSAssessment(scan: $0).grade.map { "\($0)" } ?? "not graded")" }
            stages.append(StageResult(name: Stage.tls, status: runs.contains(where: \.tlsTimedOut) ? .partial : .completed,
                                      detail: grades.joined(separator: "; "), milliseconds: tls.map(\.milliseconds).max() ?? 0,
                                      findingCount: count))
        }
    }

    mutating func provider(_ byMX: ProviderMatch?, mxNames: Set<String>) {
        let banners = ports.compactMap { $0.smtp?.greeting?.wireLines.joined(separator: " ") }
            + ports.compactMap { $0.imap?.greetingText }
        providerMatch = byMX ?? ProviderCatalog.match(mxHosts: [], banners: banners)
        guard let m = providerMatch else {
            stages.append(StageResult(name: Stage.provider, status: .completed, detail: "no known provider or server family", milliseconds: 0))
            return
        }
        let ev = Evidence(id: "provider", kind: .note, title: "Provider recognition", lines: ["matched by \(m.matchedBy)"]
                          + m.provider.clientSettings.map { "\($0.service): \($0.host):\($0.port) \($0.security)" })
        var fs: [Finding] = []
        if let f = FindingCatalog.definition("provider.detected")?.raise(subject: target.domain?.description ?? target.input,
                                                                          detail: "\(m.provider.name) (matched by \(m.matchedBy))", evidence: [ev.id]) {
            fs.append(f)
        }
        if let include = m.provider.spfInclude, let record = authResult?.spf.record,
           !ProviderCatalog.spfHasInclude(record, include: include),
           let f = FindingCatalog.definition("provider.spf.include-missing")?.raise(
               subject: target.domain?.description ?? target.input,
               detail: "\(m.provider.name) expects include:\(include); the record is \"\(record)\"",
               evidence: [ev.id] + (authResult?.evidence.prefix(1).map(\.id) ?? [])) {
            fs.append(f)
        }
        add(fs, [ev])
        stages.append(StageResult(name: Stage.provider, status: .completed, detail: m.provider.name, milliseconds: 0, findingCount: fs.count))
    }
}
