import DNSWire
import Foundation
import MailCore

/// Finds the client settings a domain publishes, the way mail clients look for them: RFC 6186
/// SRV records, Mozilla autoconfig, Microsoft Autodiscover; then (when asked) the provider
/// catalog by MX and conventional names such as `imap.<domain>`. Everything independent runs
/// concurrently; the result is assembled in a fixed order so ids and output are stable.
public struct ClientDiscovery: Sendable {
    public let resolver: any DNSResolver
    public let fetcher: (any HTTPFetching)?
    /// Provider catalog and guessed names too (`mxray locate`); the check engine asks only for
    /// what the domain publishes.
    public var includeCatalogAndGuesses: Bool
    public var httpTimeout: Duration

    public init(resolver: any DNSResolver, fetcher: (any HTTPFetching)?, includeCatalogAndGuesses: Bool = true,
                httpTimeout: Duration = .seconds(8)) {
        self.resolver = resolver
        self.fetcher = fetcher
        self.includeCatalogAndGuesses = includeCatalogAndGuesses
        self.httpTimeout = httpTimeout
    }

    public struct Gathered: Sendable {
        public var candidates: [ClientCandidate] = []
        public var notes: [String] = []
        public var evidence: [Evidence] = []
        public var findings: [Finding] = []
    }

    /// One source's raw outcome, before assembly.
    struct SourceOutcome: Sendable {
        var order: Int
        var candidates: [ClientCandidate] = []
        var note: String
        var evidence: Evidence?
        var invalid: (subject: String, detail: String)?
    }

    public func run(email: String, domain: DomainName) async -> Gathered {
        async let srv = gatherSRV(email: email, domain: domain)
        async let autoconfig = gatherAutoconfig(email: email, domain: domain)
        async let autodiscover = gatherAutodiscover(email: email, domain: domain)
        async let catalog = includeCatalogAndGuesses ? gatherCatalog(domain: domain) : []
        var outcomes = await srv + autoconfig + autodiscover + catalog
        if includeCatalogAndGuesses {
            let have = Set(outcomes.flatMap(\.candidates).map(\.service))
            outcomes += await gatherGuesses(email: email, domain: domain, missing: ClientService.allCases.filter { !have.contains($0) })
        }
        return Self.assemble(outcomes.sorted { $0.order < $1.order })
    }

    static func assemble(_ outcomes: [SourceOutcome]) -> Gathered {
        var g = Gathered()
        var byKey: [String: Int] = [:]
        for o in outcomes {
            g.notes.append(o.note)
            if let e = o.evidence { g.evidence.append(e) }
            if let bad = o.invalid, let def = FindingCatalog.definition("client.config.invalid") {
                g.findings.append(def.raise(subject: bad.subject, detail: bad.detail, evidence: o.evidence.map { [$0.id] } ?? []))
            }
            for c in o.candidates {
                if let i = byKey[c.key] {
                    for s in c.sources where !g.candidates[i].sources.contains(s) { g.candidates[i].sources.append(s) }
                    g.candidates[i].priority = min(g.candidates[i].priority, c.priority)
                } else {
                    byKey[c.key] = g.candidates.count
                    g.candidates.append(c)
                }
            }
        }
        // RFC 8314 §5.1 / §3: a published setting without TLS exposes the password.
        for c in g.candidates where c.security == .plain && c.sources.contains(where: { $0.kind.published }) {
            guard let def = FindingCatalog.definition("client.config.plaintext") else { continue }
            let src = c.sources.filter { $0.kind.published }
            g.findings.append(def.raise(subject: "\(c.host):\(c.port)",
                                        detail: "\(c.service.rawValue) on \(c.host):\(c.port) without TLS, published by \(src.map(\.detail).joined(separator: "; "))",
                                        evidence: src.compactMap(\.evidenceID)))
        }
        return g
    }

    // MARK: SRV (RFC 6186 §3, RFC 8314 §5.1)

    func gatherSRV(email: String, domain: DomainName) async -> [SourceOutcome] {
        await withTaskGroup(of: SourceOutcome.self) { group in
            for (i, entry) in ClientSRV.names.enumerated() {
                group.addTask {
                    guard let name = try? DomainName("\(entry.label).\(domain.description)") else {
                        return SourceOutcome(order: i, note: "SRV \(entry.label): not a valid name")
                    }
                    let l = await resolver.lookupSRV(name)
                    let id = "client-srv-\(i + 1)"
                    let ev = Evidence(id: id, kind: .dns, title: "\(name.description) SRV",
                                      lines: l.traces.map(\.description) + l.answer.answers.map(\.description))
                    let cands = ClientSRV.candidates(l.values, name: name.description, service: entry.service, security: entry.security,
                                                     email: email, evidenceID: id)
                    let note = "SRV \(name.description): " + (l.values.isEmpty ? l.status.rawValue
                        : l.values.map { $0.target.labels.isEmpty ? "\".\" (service not offered)" : "\($0.target.description):\($0.port)" }.joined(separator: ", "))
                    return SourceOutcome(order: i, candidates: cands, note: note, evidence: l.status == .answer ? ev : nil)
                }
            }
            var out: [SourceOutcome] = []
            for await o in group { out.append(o) }
            return out
        }
    }

    // MARK: autoconfig

    func gatherAutoconfig(email: String, domain: DomainName) async -> [SourceOutcome] {
        guard let fetcher, let auto = try? DomainName("autoconfig.\(domain.description)") else { return [] }
        let query = "?emailaddress=" + (email.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(.init(charactersIn: "@.-_"))) ?? email)
        let requests = [
            HTTPFetchRequest(host: auto, path: "/mail/config-v1.1.xml" + query),
            HTTPFetchRequest(host: domain, path: "/.well-known/autoconfig/mail/config-v1.1.xml"),
        ]
        var out = await withTaskGroup(of: SourceOutcome.self) { group in
            for (i, r) in requests.enumerated() {
                group.addTask { await autoconfigOne(r, email: email, order: 10 + i) }
            }
            var out: [SourceOutcome] = []
            for await o in group { out.append(o) }
            return out
        }
        // Thunderbird falls back to plain HTTP on the autoconfig host when HTTPS gave nothing.
        if out.allSatisfy({ $0.candidates.isEmpty }) {
            out.append(await autoconfigOne(HTTPFetchRequest(scheme: "http", host: auto, path: "/mail/config-v1.1.xml" + query),
                                           email: email, order: 12))
        }
        return out
    }

    func autoconfigOne(_ r: HTTPFetchRequest, email: String, order: Int) async -> SourceOutcome {
        let response = await fetcher!.fetch(r, timeout: httpTimeout)
        let id = "client-http-\(order)"
        let ev = Self.httpEvidence(id: id, r, response)
        guard response.status == 200, !response.body.isEmpty else {
            return SourceOutcome(order: order, note: "autoconfig \(r.url): \(Self.outcomeText(response))", evidence: response.status == nil ? nil : ev)
        }
        let source = ClientSource(kind: .autoconfig, detail: r.url, evidenceID: id)
        do {
            let c = try AutoconfigParser.parse(response.body, email: email, source: source)
            return SourceOutcome(order: order, candidates: c, note: "autoconfig \(r.url): \(c.count) server(s)", evidence: ev)
        } catch {
            return SourceOutcome(order: order, note: "autoconfig \(r.url): \(error)", evidence: ev,
                                 invalid: (r.host.description, "\(r.url): \(error)"))
        }
    }

    // MARK: Autodiscover ([MS-OXDSCLI] §3.1.5: the domain, then autodiscover.<domain>, then SRV)

    func gatherAutodiscover(email: String, domain: DomainName) async -> [SourceOutcome] {
        guard let fetcher, let auto = try? DomainName("autodiscover.\(domain.description)") else { return [] }
        let body = AutodiscoverParser.requestBody(email: email)
        func post(_ host: DomainName) -> HTTPFetchRequest {
            HTTPFetchRequest(host: host, path: "/autodiscover/autodiscover.xml", method: "POST", body: body, contentType: "text/xml")
        }
        var out = await withTaskGroup(of: SourceOutcome.self) { group in
            for (i, host) in [domain, auto].enumerated() {
                group.addTask { await autodiscoverOne(post(host), email: email, order: 20 + i) }
            }
            var out: [SourceOutcome] = []
            for await o in group { out.append(o) }
            return out
        }
        if out.allSatisfy({ $0.candidates.isEmpty }), let name = try? DomainName("_autodiscover._tcp.\(domain.description)") {
            let srv = await resolver.lookupSRV(name)
            if let target = srv.values.first(where: { !$0.target.labels.isEmpty }) {
                out.append(await autodiscoverOne(post(target.target), email: email, order: 22))
            } else {
                out.append(SourceOutcome(order: 22, note: "SRV \(name.description): \(srv.status.rawValue)"))
            }
        }
        return out
    }

    func autodiscoverOne(_ r: HTTPFetchRequest, email: String, order: Int) async -> SourceOutcome {
        let response = await fetcher!.fetch(r, timeout: httpTimeout)
        let id = "client-http-\(order)"
        let ev = Self.httpEvidence(id: id, r, response)
        guard response.status == 200, !response.body.isEmpty else {
            return SourceOutcome(order: order, note: "autodiscover POST \(r.url): \(Self.outcomeText(response))", evidence: response.status == nil ? nil : ev)
        }
        let source = ClientSource(kind: .autodiscover, detail: "POST " + r.url, evidenceID: id)
        do {
            switch try AutodiscoverParser.parse(response.body, email: email, source: source) {
            case .settings(let c):
                return SourceOutcome(order: order, candidates: c, note: "autodiscover POST \(r.url): \(c.count) server(s)", evidence: ev)
            case .redirectAddress(let a):
                return SourceOutcome(order: order, note: "autodiscover POST \(r.url): redirect to the address \(a) (not followed)", evidence: ev)
            case .redirectURL(let u):
                return SourceOutcome(order: order, note: "autodiscover POST \(r.url): redirect to \(u) (not followed)", evidence: ev)
            }
        } catch {
            return SourceOutcome(order: order, note: "autodiscover POST \(r.url): \(error)", evidence: ev,
                                 invalid: (r.host.description, "\(r.url): \(error)"))
        }
    }

    // MARK: provider catalog and guesses

    func gatherCatalog(domain: DomainName) async -> [SourceOutcome] {
        let mx = await resolver.lookupMX(domain)
        var autodiscoverTargets: [String] = []
        if let auto = try? DomainName("autodiscover.\(domain.description)") {
            autodiscoverTargets = await resolver.lookupA(auto).answer.cnameChain.map(\.description)
        }
        guard let m = ProviderCatalog.match(mxHosts: mx.values.map(\.exchange.description), autodiscoverTargets: autodiscoverTargets),
              !m.provider.clientSettings.isEmpty else {
            return [SourceOutcome(order: 30, note: "provider catalog: no hosted provider with documented client settings")]
        }
        let source = ClientSource(kind: .provider, detail: "\(m.provider.name) (matched by \(m.matchedBy))")
        let c = m.provider.clientSettings.compactMap { s -> ClientCandidate? in
            guard let service = ClientService(rawValue: s.service) else { return nil }
            return ClientCandidate(service: service, host: s.host, port: s.port, security: s.security == "ssl" ? .ssl : .starttls,
                                   sources: [source])
        }
        return [SourceOutcome(order: 30, candidates: c, note: "provider catalog: \(m.provider.name)")]
    }

    /// Conventional names, as Thunderbird guesses them, for services no other source named.
    func gatherGuesses(email: String, domain: DomainName, missing: [ClientService]) async -> [SourceOutcome] {
        guard !missing.isEmpty else { return [] }
        let names: [ClientService: [String]] = [.imap: ["imap", "mail"], .pop3: ["pop3", "pop", "mail"], .smtp: ["smtp", "mail"]]
        let ports: [ClientService: [(Int, ClientSecurity)]] = [.imap: [(993, .ssl), (143, .starttls)],
                                                               .pop3: [(995, .ssl), (110, .starttls)],
                                                               .smtp: [(465, .ssl), (587, .starttls)]]
        let labels = Array(Set(missing.flatMap { names[$0] ?? [] })).sorted()
        let resolved = await withTaskGroup(of: (String, Bool).self) { group in
            for l in labels {
                group.addTask {
                    guard let n = try? DomainName("\(l).\(domain.description)") else { return (l, false) }
                    if !(await resolver.lookupA(n).values.isEmpty) { return (l, true) }
                    return (l, !(await resolver.lookupAAAA(n).values.isEmpty))
                }
            }
            var out: [String: Bool] = [:]
            for await (l, ok) in group { out[l] = ok }
            return out
        }
        var c: [ClientCandidate] = []
        for service in missing {
            for l in names[service] ?? [] where resolved[l] == true {
                for (port, sec) in ports[service] ?? [] {
                    c.append(ClientCandidate(service: service, host: "\(l).\(domain.description)", port: port, security: sec,
                                             username: email, sources: [ClientSource(kind: .guess, detail: "\(l).\(domain.description) resolves")]))
                }
            }
        }
        let found = labels.filter { resolved[$0] == true }.map { "\($0).\(domain.description)" }
        return [SourceOutcome(order: 40, candidates: c,
                              note: "guessed names for \(missing.map(\.rawValue).joined(separator: ", ")): " + (found.isEmpty ? "none resolves" : found.joined(separator: ", ")))]
    }

    // MARK: evidence

    static func outcomeText(_ r: HTTPFetchResponse) -> String {
        if let e = r.error { return e }
        return "HTTP \(r.status.map(String.init) ?? "?")" + (r.location.map { " → \($0)" } ?? "")
    }

    static func httpEvidence(id: String, _ r: HTTPFetchRequest, _ response: HTTPFetchResponse) -> Evidence {
        var lines = ["\(r.method) \(r.url)" + (response.address.map { " [\($0)]" } ?? ""),
                     "→ " + outcomeText(response) + (response.contentType.map { ", \($0)" } ?? "") + ", \(response.body.count) bytes, \(response.milliseconds) ms"]
        // The first lines of the document, made printable.
        let text = String(decoding: response.body.prefix(4096), as: UTF8.self)
        lines += text.split(whereSeparator: \.isNewline).prefix(40).map { String($0.unicodeScalars.map { $0.value < 0x20 && $0 != "\t" ? "?" : Character($0) }) }
        return Evidence(id: id, kind: .http, title: "\(r.method) \(r.url)", lines: lines)
    }
}
