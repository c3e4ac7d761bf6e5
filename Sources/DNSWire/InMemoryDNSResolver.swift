import MailCore

/// A `DNSResolver` over records held in memory, for unit tests of policy code (mox-style: fill a
/// zone with an RFC's example data and evaluate against it).
///
/// Follows CNAMEs (up to 8), answers NODATA for existing names (empty non-terminals included) and
/// NXDOMAIN otherwise, synthesises from `*` wildcards at the closest encloser (RFC 4592), and can
/// be told to fail a name with any status (`timeout`, `servfail`…) to test error paths. Queries
/// aimed at a specific server (`DNSQuery.server`) are answered from that server's zone when one
/// is configured, and time out otherwise — a lame server.
public struct InMemoryDNSResolver: DNSResolver {
    public struct Zone: Sendable {
        var byOwner: [DomainName: [DNSResourceRecord]] = [:]
        /// Every owner and every ancestor of one: names that exist (RFC 4592 §2.2.2).
        var existing: Set<DomainName> = []
        var failures: [FailureKey: DNSStatus] = [:]
        /// Answers for names at or below these carry AD.
        public var signedApexes: [DomainName] = []
        /// Names at or below these fail validation: SERVFAIL, unless the query sets CD (RFC 4035 §3.2.2).
        public var bogusApexes: [DomainName] = []
        /// Answers carry AA (an authoritative server's zone).
        public var authoritative = false

        struct FailureKey: Hashable, Sendable { let name: DomainName; let type: DNSRecordType? }

        public init(_ records: [DNSResourceRecord] = []) { for r in records { add(r) } }

        public mutating func add(_ record: DNSResourceRecord) {
            byOwner[record.name, default: []].append(record)
            var n: DomainName? = record.name
            while let x = n, existing.insert(x).inserted { n = x.parent }
        }

        public mutating func add(_ name: DomainName, ttl: UInt32 = 300, _ data: DNSRData) {
            add(DNSResourceRecord(name: name, ttl: ttl, data: data))
        }

        /// Makes queries for `name` (of `type`, or of every type when nil) end with `status`.
        public mutating func fail(_ name: DomainName, type: DNSRecordType? = nil, with status: DNSStatus) {
            failures[FailureKey(name: name, type: type)] = status
        }

        public var records: [DNSResourceRecord] { byOwner.values.flatMap { $0 } }

        func failure(_ name: DomainName, _ type: DNSRecordType) -> DNSStatus? {
            failures[FailureKey(name: name, type: type)] ?? failures[FailureKey(name: name, type: nil)]
        }

        /// Records at `name`, synthesised from a wildcard when the name does not exist.
        func lookup(_ name: DomainName) -> (records: [DNSResourceRecord], exists: Bool) {
            if let r = byOwner[name] { return (r, true) }
            if existing.contains(name) { return ([], true) }
            var encloser = name.parent
            while let e = encloser {
                let wild = DomainName(uncheckedLabels: ["*"] + e.labels)
                if let r = byOwner[wild] {
                    return (r.map { DNSResourceRecord(name: name, ttl: $0.ttl, data: $0.data, recordClass: $0.recordClass) }, true)
                }
                if existing.contains(e) { break }
                encloser = e.parent
            }
            return ([], false)
        }

        func soa(for name: DomainName) -> DNSResourceRecord? {
            var n: DomainName? = name
            while let x = n {
                if let s = byOwner[x]?.first(where: { $0.type == .soa }) { return s }
                n = x.parent
            }
            return nil
        }
    }

    public var zone: Zone
    public var servers: [DNSServerAddress: Zone]

    public init(zone: Zone = Zone(), servers: [DNSServerAddress: Zone] = [:]) {
        self.zone = zone
        self.servers = servers
    }

    public init(records: [DNSResourceRecord]) { self.init(zone: Zone(records)) }

    public func resolve(_ query: DNSQuery) async -> DNSAnswer { answer(query) }

    /// Synchronous form, for tests that do not need `async`.
    public func answer(_ query: DNSQuery) -> DNSAnswer {
        let serverName = query.server?.description ?? "memory"
        let zone: Zone
        if let s = query.server {
            guard let z = servers[s] else {
                return Self.failed(query, .timeout, server: serverName, detail: "no reply from \(s)")
            }
            zone = z
        } else {
            zone = self.zone
        }

        if !query.checkingDisabled, zone.bogusApexes.contains(where: { query.name.isSubdomain(of: $0) }) {
            return Self.failed(query, .servfail, server: serverName, detail: "DNSSEC validation failed for \(query.name) (configured)")
        }
        var name = query.name
        var answers: [DNSResourceRecord] = []
        for _ in 0..<8 {
            if let status = zone.failure(name, query.type) {
                return Self.failed(query, status, server: serverName, detail: "\(status.rawValue) for \(name.presentation) (configured)")
            }
            let (rrs, exists) = zone.lookup(name)
            let matching = rrs.filter { $0.type == query.type || query.type == .any }
            if !matching.isEmpty {
                return finish(query, zone, .answer, .noError, answers + matching, server: serverName)
            }
            if query.type != .cname, let c = rrs.first(where: { $0.type == .cname }), case .cname(let target) = c.data {
                answers.append(c)
                name = target
                continue
            }
            if exists { return finish(query, zone, .nodata, .noError, answers, server: serverName, negative: name) }
            // RFC 6604: NXDOMAIN at the end of a CNAME chain is still NXDOMAIN for the query.
            return finish(query, zone, .nxdomain, .nxDomain, answers, server: serverName, negative: name)
        }
        return Self.failed(query, .servfail, server: serverName, detail: "CNAME chain longer than 8")
    }

    func finish(_ q: DNSQuery, _ zone: Zone, _ status: DNSStatus, _ rcode: DNSRCode, _ answers: [DNSResourceRecord],
                server: String, negative: DomainName? = nil) -> DNSAnswer {
        var flags: DNSHeaderFlags = [.response]
        if q.recursionDesired { flags.insert(.recursionDesired); flags.insert(.recursionAvailable) }
        if zone.authoritative { flags.insert(.authoritative) }
        let signed = zone.signedApexes.contains(where: { q.name.isSubdomain(of: $0) })
        if signed && !q.checkingDisabled && !zone.bogusApexes.contains(where: { q.name.isSubdomain(of: $0) }) { flags.insert(.authenticData) }
        let authority = negative.flatMap { zone.soa(for: $0) }.map { [$0] } ?? []
        let trace = DNSTrace(question: q.question, server: server, transport: .memory, rttMicroseconds: 0, rcode: rcode,
                             flags: flags, answerCount: answers.count, authorityCount: authority.count)
        return DNSAnswer(query: q, status: status, rcode: rcode, flags: flags, answers: answers, authority: authority,
                         server: q.server, traces: [trace])
    }

    static func failed(_ q: DNSQuery, _ status: DNSStatus, server: String, detail: String) -> DNSAnswer {
        let rcode: DNSRCode? = switch status {
        case .servfail: .servFail
        case .refused: .refused
        case .nxdomain: .nxDomain
        case .answer, .nodata: .noError
        case .error: .formErr
        case .timeout, .unreachable: nil
        }
        let trace = DNSTrace(question: q.question, server: server, transport: .memory, rcode: rcode,
                             flags: rcode == nil ? nil : [.response], error: rcode == nil ? detail : nil)
        return DNSAnswer(query: q, status: status, rcode: rcode, server: q.server, traces: [trace], detail: detail)
    }
}
