import DNSWire
import Foundation
import MailCore
import MailWire

extension Stage {
    /// The client settings the domain publishes (SRV, autoconfig, Autodiscover) against the probes.
    public static let clientConfig = "client-config"
}

extension CheckEngine {
    /// The published client settings, gathered while the MX probes run (nil when there is no
    /// HTTP fetcher, i.e. the check runs without network I/O for them).
    func discoverClients(_ target: CheckTarget, _ domain: DomainName, deadline: ContinuousClock.Instant) async -> ClientDiscovery.Gathered? {
        guard let clientFetcher else { return nil }
        let email = target.kind == .email ? target.input : "postmaster@\(domain.description)"
        let discovery = ClientDiscovery(resolver: resolver, fetcher: clientFetcher, includeCatalogAndGuesses: false)
        return await withDeadline(deadline) { await discovery.run(email: email, domain: domain) }
    }

    /// Confirms the published settings: ports the MX probes already saw are reused, the others
    /// probed now (after the MX probes, so the per-address cap holds).
    func confirmClients(_ gathered: ClientDiscovery.Gathered, target: CheckTarget, domain: DomainName, known: [PortObservation],
                        deadline: ContinuousClock.Instant) async -> ClientLocateResult? {
        let email = target.kind == .email ? target.input : "postmaster@\(domain.description)"
        let confirmation = ClientConfirmation(resolver: resolver, prober: prober)
        return await withDeadline(deadline) {
            await confirmation.run(gathered, email: email, domain: domain, password: nil, known: known, deadline: deadline)
        }
    }
}

extension ReportAccumulator {
    static let clientPrefixes = ["client.config."]

    mutating func clientConfig(_ r: ClientLocateResult?, asked: Bool, milliseconds: Double) {
        guard asked else { return }
        guard let r else {
            couldNotTest(Stage.clientConfig, "the overall deadline passed before the published client settings were checked",
                         milliseconds: milliseconds, prefixes: Self.clientPrefixes)
            return
        }
        add(r.findings, r.evidence)
        let published = r.candidates.filter { $0.candidate.sources.contains { $0.kind.published } }
        let confirmed = published.filter { $0.probe.status == .confirmed }.count
        let kinds = Set(published.flatMap { $0.candidate.sources.map(\.kind) }).sorted().map(\.rawValue)
        let detail = published.isEmpty ? "no SRV, autoconfig or Autodiscover settings published"
            : "\(published.count) published settings (\(kinds.joined(separator: ", "))), \(confirmed) confirmed by probing"
        stages.append(StageResult(name: Stage.clientConfig, status: .completed, detail: detail, milliseconds: milliseconds,
                                  findingCount: r.findings.count))
    }

    /// An MX host whose address (or alias target) belongs to an HTTP CDN, while port 25 there
    /// does not answer SMTP: the CDN proxies HTTP only, so senders cannot deliver.
    mutating func httpCDN() {
        guard let locate = locateResult else { return }
        for host in locate.hosts {
            var hits: [String] = []
            for a in host.addresses {
                guard let p = HTTPCDN.provider(for: a.address) else { continue }
                let smtp = ports.contains { $0.address == a.address.description && $0.port == 25 && $0.connect.state == .open && $0.smtp?.greeting?.code == 220 }
                if !smtp { hits.append("\(a.address) is a \(p) edge address") }
            }
            if hits.isEmpty, let alias = host.cnameChain.compactMap({ n in HTTPCDN.provider(forAlias: n).map { (n, $0) } }).first {
                let answering = host.addresses.contains { a in
                    ports.contains { $0.address == a.address.description && $0.port == 25 && $0.connect.state == .open && $0.smtp?.greeting?.code == 220 }
                }
                if !answering { hits.append("alias target \(alias.0.description) belongs to \(alias.1)") }
            }
            guard !hits.isEmpty, let def = FindingCatalog.definition("dns.mx.http-cdn") else { continue }
            let ev = evidence.filter { e in e.kind == .dns && e.title.hasPrefix(host.name.description + " ") }.map(\.id)
            let probes = host.addresses.map { "transcript:\(host.name.description)[\($0.address)]:25" }.filter { id in evidence.contains { $0.id == id } }
            let note = Evidence(id: "cdn:\(host.name.description)", kind: .note, title: "HTTP CDN ranges (\(HTTPCDN.version)) for \(host.name.description)",
                                lines: hits + host.cnameChain.map { "CNAME → \($0.description)" })
            if !evidence.contains(where: { $0.id == note.id }) { evidence.append(note) }
            findings.append(def.raise(subject: host.name.description,
                                      detail: "MX \(host.name.description): \(hits.joined(separator: "; ")); port 25 there does not answer SMTP.",
                                      evidence: [note.id] + ev + probes))
        }
    }
}
