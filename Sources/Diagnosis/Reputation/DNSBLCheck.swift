import DNSWire
import MailCore

/// One lookup: an address on one list.
public struct DNSBLLookup: Sendable, Hashable, Codable {
    public var address: IPAddress
    public var zone: DomainName
    public var status: DNSBLStatus
    /// The list's TXT reason for a listing (RFC 5782 §2.1), when it gives one.
    public var reason: String?
    public var evidenceID: String
}

/// RFC 5782 §5: every IPv4 list lists 127.0.0.2 and never 127.0.0.1. A list failing either is
/// dead, broken or listing the world.
public struct DNSBLZoneHealth: Sendable, Hashable, Codable {
    public var zone: DomainName
    public var testListed: DNSBLStatus
    public var testNotListed: DNSBLStatus
    /// Nil when the list could not be tested (refused, no answer).
    public var healthy: Bool?
}

public struct DNSBLReport: Sendable, Codable {
    public var subject: String
    public var targets: [DNSBLTarget]
    public var zones: [DomainName]
    public var lookups: [DNSBLLookup]
    public var health: [DNSBLZoneHealth]
    public var notes: [String]
    public var findings: [Finding]
    public var evidence: [Evidence]
}

/// Looks every target up on every zone over a `DNSResolver` (concurrently, a bounded number at a
/// time) and turns the answers into findings: listed, refused, no answer, broken list.
public struct DNSBLCheck: Sendable {
    public let resolver: any DNSResolver
    public var zones: [DNSBLZone]
    public var concurrency = 16

    public init(resolver: any DNSResolver, zones: [DNSBLZone] = DNSBLZone.defaults) {
        self.resolver = resolver
        self.zones = zones
    }

    /// Checks a domain's MX and SPF addresses.
    public func run(domain: DomainName) async -> DNSBLReport {
        let collection = await DNSBLAddressCollector(resolver: resolver).collect(domain)
        var notes = collection.notes
        if collection.targets.isEmpty { notes.append("\(domain) names no MX or SPF address to check") }
        return await run(subject: domain.description, targets: collection.targets, notes: notes)
    }

    public func run(subject: String, targets: [DNSBLTarget], notes: [String] = []) async -> DNSBLReport {
        var jobs: [(IPAddress, DNSBLZone)] = []
        for t in targets { for z in zones where z.ipv6 || !t.address.isIPv6 { jobs.append((t.address, z)) } }
        let test2 = IPAddress(v4: [127, 0, 0, 2]), test1 = IPAddress(v4: [127, 0, 0, 1])
        for z in zones { jobs.append((test2, z)); jobs.append((test1, z)) }
        let results = await withTaskGroup(of: (Int, DNSBLLookup, [String]).self) { group in
            var next = 0
            var out: [(Int, DNSBLLookup, [String])] = []
            func start(_ i: Int) {
                let (ip, zone) = jobs[i]
                group.addTask { let (l, lines) = await lookup(ip, zone); return (i, l, lines) }
            }
            while next < min(concurrency, jobs.count) { start(next); next += 1 }
            for await r in group {
                out.append(r)
                if next < jobs.count { start(next); next += 1 }
            }
            return out.sorted { $0.0 < $1.0 }
        }
        var lookups: [DNSBLLookup] = []
        var evidence: [Evidence] = []
        var health: [DNSBLZoneHealth] = []
        var tests: [DomainName: (DNSBLStatus?, DNSBLStatus?)] = [:]
        for (_, l, lines) in results {
            evidence.append(Evidence(id: l.evidenceID, kind: .dns, title: "\(l.address) on \(l.zone)", lines: lines))
            if l.address == test2, !targets.contains(where: { $0.address == test2 }) { tests[l.zone, default: (nil, nil)].0 = l.status; continue }
            if l.address == test1, !targets.contains(where: { $0.address == test1 }) { tests[l.zone, default: (nil, nil)].1 = l.status; continue }
            lookups.append(l)
        }
        for z in zones {
            let (listed, notListed) = tests[z.name] ?? (nil, nil)
            let a = listed ?? .noAnswer("not asked"), b = notListed ?? .noAnswer("not asked")
            var healthy: Bool?
            switch (a, b) {
            case (.listed, .notListed): healthy = true
            case (.refused, _), (_, .refused), (.noAnswer, _), (_, .noAnswer): healthy = nil
            default: healthy = false
            }
            health.append(DNSBLZoneHealth(zone: z.name, testListed: a, testNotListed: b, healthy: healthy))
        }
        let findings = Self.findings(subject: subject, targets: targets, lookups: lookups, health: health)
        return DNSBLReport(subject: subject, targets: targets, zones: zones.map(\.name), lookups: lookups, health: health,
                           notes: notes, findings: findings, evidence: evidence)
    }

    func lookup(_ ip: IPAddress, _ zone: DNSBLZone) async -> (DNSBLLookup, [String]) {
        let name = zone.queryName(for: ip)
        let answer = await resolver.resolve(DNSQuery(name, .a, dnssecOK: false))
        let status = zone.classify(answer)
        var lines = answer.traces.map(\.description)
        if lines.isEmpty { lines = ["\(name) A → \(answer.status.rawValue)"] }
        lines += answer.records.map { "\($0.name) A \($0.data)" }
        var reason: String?
        if case .listed = status {
            // RFC 5782 §2.1: the TXT record at the same name says why.
            let txt = await resolver.lookupTXT(name)
            lines += txt.traces.map(\.description)
            let texts = txt.values.map(\.joined)
            lines += texts.map { "\(name) TXT \"\($0)\"" }
            reason = texts.isEmpty ? nil : texts.joined(separator: " ")
        }
        let id = "dnsbl:\(ip)@\(zone.name)"
        return (DNSBLLookup(address: ip, zone: zone.name, status: status, reason: reason, evidenceID: id), lines)
    }

    static func findings(subject: String, targets: [DNSBLTarget], lookups: [DNSBLLookup], health: [DNSBLZoneHealth]) -> [Finding] {
        func def(_ id: String) -> FindingDefinition {
            guard let d = FindingCatalog.definition(id) else { preconditionFailure("finding \(id) missing from the catalog") }
            return d
        }
        var out: [Finding] = []
        let roles = Dictionary(targets.map { ($0.address, $0.roles) }, uniquingKeysWith: { a, _ in a })
        for l in lookups {
            let who = "\(l.address)" + (roles[l.address].map { " (\($0.joined(separator: "; ")))" } ?? "")
            let subj = "\(l.address) on \(l.zone)"
            switch l.status {
            case .listed(let codes):
                out.append(def("dnsbl.listed").raise(subject: subj, detail: "\(who) is listed on \(l.zone): \(codes.joined(separator: ", "))"
                                                     + (l.reason.map { ". Reason: \($0)" } ?? ""), evidence: [l.evidenceID]))
            case .refused(let why):
                out.append(def("dnsbl.refused").raise(subject: subj, detail: "\(l.zone) refused the query for \(l.address): \(why)", evidence: [l.evidenceID]))
            case .noAnswer(let why):
                out.append(def("dnsbl.no-answer").raise(subject: subj, detail: "\(l.zone) gave no answer for \(l.address): \(why)", evidence: [l.evidenceID]))
            case .unexpected(let why):
                out.append(def("dnsbl.zone.broken").raise(subject: subj, detail: "\(l.zone) answered something no list answers: \(why)", evidence: [l.evidenceID]))
            case .notListed:
                continue
            }
        }
        for h in health where h.healthy == false {
            out.append(def("dnsbl.zone.broken").raise(subject: h.zone.description,
                detail: "Test entries: 127.0.0.2 → \(h.testListed.label), 127.0.0.1 → \(h.testNotListed.label)",
                evidence: ["dnsbl:127.0.0.2@\(h.zone)", "dnsbl:127.0.0.1@\(h.zone)"]))
        }
        if !lookups.isEmpty, lookups.allSatisfy({ $0.status == .notListed }) {
            out.append(def("dnsbl.clean").raise(subject: subject,
                detail: "\(targets.count) address(es) checked on \(Set(lookups.map(\.zone)).count) list(s): none listed",
                evidence: lookups.map(\.evidenceID)))
        }
        return out
    }
}
