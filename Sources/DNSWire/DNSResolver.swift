import MailCore

// STABLE CONTRACT — `DNSResolver`, `DNSQuery`, `DNSAnswer`, `DNSStatus`, `DNSTrace`, `DNSLookup`
// and the `lookup…` helpers below are what all policy code (SPF, DMARC, MTA-STS, DANE, the locate
// stage) programs against. They are stable: add members, never rename, remove or change the
// meaning of one. The real resolver (DNSClient) and the in-memory one (InMemoryDNSResolver) both
// implement them; policy code never sees sockets.

/// Answers DNS queries. The only DNS interface policy code depends on.
public protocol DNSResolver: Sendable {
    /// Answers one query. Never throws: every outcome, failures included, is a `DNSAnswer` whose
    /// `status` says what happened and whose `traces` say how (which server, transport, RTT…).
    func resolve(_ query: DNSQuery) async -> DNSAnswer
}

/// A server to ask: an IP address and a port (53 unless said otherwise).
public struct DNSServerAddress: Sendable, Hashable, Codable, CustomStringConvertible {
    public var address: IPAddress
    public var port: UInt16

    public init(_ address: IPAddress, port: UInt16 = 53) { self.address = address; self.port = port }

    /// Parses `HOST`, `HOST:PORT`, `[V6]`, `[V6]:PORT` or a bare IPv6 address.
    public init?(parsing text: String) {
        var host = Substring(text.drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
        var port: UInt16 = 53
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { return nil }
            let rest = host[host.index(after: close)...]
            host = host[host.index(after: host.startIndex)..<close]
            if !rest.isEmpty {
                guard rest.hasPrefix(":"), let p = UInt16(rest.dropFirst()), p > 0 else { return nil }
                port = p
            }
        } else if host.filter({ $0 == ":" }).count == 1 {
            let parts = host.split(separator: ":", omittingEmptySubsequences: false)
            guard let p = UInt16(parts[1]), p > 0 else { return nil }
            host = parts[0]
            port = p
        }
        guard let ip = IPAddress(String(host)) else { return nil }
        self.init(ip, port: port)
    }

    /// `127.0.10.54:53`, `[::1]:53`.
    public var description: String {
        address.isIPv6 ? "[\(address)]:\(port)" : "\(address):\(port)"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        let s = try c.decode(String.self)
        guard let v = DNSServerAddress(parsing: s) else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "not a server address: \(s)")
        }
        self = v
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

/// One question plus how to ask it.
public struct DNSQuery: Sendable, Hashable, Codable, CustomStringConvertible {
    public var question: DNSQuestion
    /// nil: the configured recursive resolvers. Set: exactly this server and no other, bypassing
    /// the cache (used to ask a domain's authoritative servers directly).
    public var server: DNSServerAddress?
    public var recursionDesired: Bool
    /// DO bit (RFC 3225): ask for DNSSEC records; the resolver reports AD either way.
    public var dnssecOK: Bool
    /// CD bit (RFC 4035 §3.2.2): ask a validating resolver not to validate.
    public var checkingDisabled: Bool

    public init(_ name: DomainName, _ type: DNSRecordType, server: DNSServerAddress? = nil,
                recursionDesired: Bool? = nil, dnssecOK: Bool = true, checkingDisabled: Bool = false) {
        self.question = DNSQuestion(name: name, type: type)
        self.server = server
        self.recursionDesired = recursionDesired ?? (server == nil)
        self.dnssecOK = dnssecOK
        self.checkingDisabled = checkingDisabled
    }

    public var name: DomainName { question.name }
    public var type: DNSRecordType { question.type }

    public var description: String {
        "\(question.name.presentation) \(question.type)" + (server.map { " @\($0)" } ?? "")
    }
}

/// What became of a query. `temperror` versus `permerror` in SPF (RFC 7208 §2.6.6–2.6.7, §5)
/// and DMARC hang on these being kept apart.
public enum DNSStatus: String, Sendable, Hashable, Codable, CaseIterable {
    /// NOERROR with at least one record of the asked type (after following CNAMEs).
    case answer
    /// NOERROR without a record of the asked type: the name exists (RFC 2308 §2.2).
    case nodata
    /// RCODE 3: the name does not exist (RFC 2308 §2.1).
    case nxdomain
    /// RCODE 2.
    case servfail
    /// RCODE 5.
    case refused
    /// No reply from any server within the time allowed.
    case timeout
    /// No server could be reached (ICMP unreachable, connection refused, no route).
    case unreachable
    /// Any other failure: FORMERR, NOTIMP, another RCODE, a reply that did not parse.
    case error

    /// RFC 7208 §4.6.4: a lookup that returns no records (NXDOMAIN or NODATA) counts as "void".
    public var isVoid: Bool { self == .nxdomain || self == .nodata }

    /// RFC 7208 §5: SERVFAIL, any RCODE other than 0 or 3, or a timeout is a temporary error.
    public var isTemporaryFailure: Bool {
        switch self {
        case .answer, .nodata, .nxdomain: return false
        case .servfail, .refused, .timeout, .unreachable, .error: return true
        }
    }
}

/// The evidence a query leaves: one per exchange with a server (or per cache hit).
public struct DNSTrace: Sendable, Hashable, Codable, CustomStringConvertible {
    public enum Transport: String, Sendable, Hashable, Codable { case udp, tcp, cache, memory }

    public var question: DNSQuestion
    /// `127.0.10.54:53`, or `cache` / `memory`.
    public var server: String
    public var transport: Transport
    public var id: UInt16?
    /// Round-trip time in microseconds; nil when nothing usable came back.
    public var rttMicroseconds: Int?
    public var rcode: DNSRCode?
    public var flags: DNSHeaderFlags?
    public var answerCount: Int
    public var authorityCount: Int
    public var additionalCount: Int
    public var responseSize: Int?
    /// What went wrong on this exchange, in words (timeout, connection refused, ID mismatch…).
    public var error: String?

    public init(question: DNSQuestion, server: String, transport: Transport, id: UInt16? = nil,
                rttMicroseconds: Int? = nil, rcode: DNSRCode? = nil, flags: DNSHeaderFlags? = nil,
                answerCount: Int = 0, authorityCount: Int = 0, additionalCount: Int = 0,
                responseSize: Int? = nil, error: String? = nil) {
        self.question = question; self.server = server; self.transport = transport; self.id = id
        self.rttMicroseconds = rttMicroseconds; self.rcode = rcode; self.flags = flags; self.answerCount = answerCount
        self.authorityCount = authorityCount; self.additionalCount = additionalCount; self.responseSize = responseSize
        self.error = error
    }

    /// `good.lab.test. IN MX @127.0.10.54:53 udp → NOERROR [qr rd ra ad] 2/0/1 in 812 µs`
    public var description: String {
        var s = "\(question) @\(server) \(transport.rawValue) → "
        if let rcode {
            s += "\(rcode) [\(flags?.names.joined(separator: " ") ?? "")] \(answerCount)/\(authorityCount)/\(additionalCount)"
        } else {
            s += "no reply"
        }
        if let rttMicroseconds { s += " in \(rttMicroseconds) µs" }
        if let error { s += " (\(error))" }
        return s
    }
}

/// The result of one query, failures included.
public struct DNSAnswer: Sendable, Hashable, Codable {
    public var query: DNSQuery
    public var status: DNSStatus
    /// RCODE of the response that decided the status (nil when none came).
    public var rcode: DNSRCode?
    /// Header flags of that response (AA, TC, RD, RA, AD, CD).
    public var flags: DNSHeaderFlags
    /// The answer section as received: CNAMEs, the records, RRSIGs when DO was set.
    public var answers: [DNSResourceRecord]
    /// The authority section (the SOA of a negative answer, NS of a referral).
    public var authority: [DNSResourceRecord]
    /// The additional section without OPT.
    public var additional: [DNSResourceRecord]
    /// Who gave the deciding response.
    public var server: DNSServerAddress?
    /// Every exchange this query took, in order (retries and TCP fallback included).
    public var traces: [DNSTrace]
    /// For failures: what happened, which servers were tried, what a person can do.
    public var detail: String?

    public init(query: DNSQuery, status: DNSStatus, rcode: DNSRCode? = nil, flags: DNSHeaderFlags = [],
                answers: [DNSResourceRecord] = [], authority: [DNSResourceRecord] = [],
                additional: [DNSResourceRecord] = [], server: DNSServerAddress? = nil,
                traces: [DNSTrace] = [], detail: String? = nil) {
        self.query = query; self.status = status; self.rcode = rcode; self.flags = flags; self.answers = answers
        self.authority = authority; self.additional = additional; self.server = server; self.traces = traces
        self.detail = detail
    }

    /// AD (RFC 4035 §3.2.3): the resolver validated every record in the answer.
    public var authenticated: Bool { flags.contains(.authenticData) }
    /// AA: the server is authoritative for the name.
    public var authoritative: Bool { flags.contains(.authoritative) }

    /// CNAMEs followed from the query name, in order (RFC 1034 §3.6.2).
    public var cnameChain: [DomainName] {
        var chain: [DomainName] = []
        var name = query.name
        guard query.type != .cname else { return [] }
        for _ in 0..<16 {
            guard let next = answers.first(where: { $0.name == name && $0.type == .cname }),
                  case .cname(let target) = next.data else { break }
            chain.append(target)
            name = target
        }
        return chain
    }

    /// The name the records belong to: the query name, or the end of its CNAME chain.
    public var canonicalName: DomainName { cnameChain.last ?? query.name }

    /// Records of the asked type at the canonical name.
    public var records: [DNSResourceRecord] {
        let owner = canonicalName
        return answers.filter { $0.type == query.type && ($0.name == owner || query.type == .any) }
    }

    public var rdata: [DNSRData] { records.map(\.data) }

    /// The smallest TTL among the records; for a negative answer the SOA minimum bounded by the
    /// SOA's TTL (RFC 2308 §5).
    public var ttl: UInt32? {
        if let m = records.map(\.ttl).min() { return m }
        for rr in authority { if case .soa(let s) = rr.data { return min(rr.ttl, s.minimum) } }
        return nil
    }
}

/// A typed view of one lookup: its status, the values of the asked type, and the whole answer
/// (traces included) for evidence.
public struct DNSLookup<Value: Sendable>: Sendable {
    public let answer: DNSAnswer
    public let values: [Value]

    public init(answer: DNSAnswer, values: [Value]) { self.answer = answer; self.values = values }

    public var status: DNSStatus { answer.status }
    public var traces: [DNSTrace] { answer.traces }
    public var ttl: UInt32? { answer.ttl }
    public var authenticated: Bool { answer.authenticated }
}

extension DNSResolver {
    public func resolve(_ name: DomainName, _ type: DNSRecordType) async -> DNSAnswer {
        await resolve(DNSQuery(name, type))
    }

    private func typed<V>(_ name: DomainName, _ type: DNSRecordType, _ pick: (DNSRData) -> V?) async -> DNSLookup<V> {
        let a = await resolve(DNSQuery(name, type))
        return DNSLookup(answer: a, values: a.rdata.compactMap(pick))
    }

    public func lookupA(_ name: DomainName) async -> DNSLookup<IPAddress> {
        await typed(name, .a) { if case .a(let ip) = $0 { ip } else { nil } }
    }

    public func lookupAAAA(_ name: DomainName) async -> DNSLookup<IPAddress> {
        await typed(name, .aaaa) { if case .aaaa(let ip) = $0 { ip } else { nil } }
    }

    /// MX records sorted by preference, then name (RFC 5321 §5.1).
    public func lookupMX(_ name: DomainName) async -> DNSLookup<MXRecord> {
        let l: DNSLookup<MXRecord> = await typed(name, .mx) { if case .mx(let m) = $0 { m } else { nil } }
        return DNSLookup(answer: l.answer, values: l.values.sorted {
            ($0.preference, $0.exchange.description) < ($1.preference, $1.exchange.description)
        })
    }

    /// TXT records, every character-string kept (`TXTRecord.joined` gives RFC 7208 §3.3's reading).
    public func lookupTXT(_ name: DomainName) async -> DNSLookup<TXTRecord> {
        await typed(name, .txt) { if case .txt(let t) = $0 { t } else { nil } }
    }

    /// PTR names of an address (`in-addr.arpa` / `ip6.arpa`).
    public func lookupPTR(_ address: IPAddress) async -> DNSLookup<DomainName> {
        await typed(address.reverseName, .ptr) { if case .ptr(let n) = $0 { n } else { nil } }
    }

    public func lookupNS(_ name: DomainName) async -> DNSLookup<DomainName> {
        await typed(name, .ns) { if case .ns(let n) = $0 { n } else { nil } }
    }

    public func lookupSOA(_ name: DomainName) async -> DNSLookup<SOARecord> {
        await typed(name, .soa) { if case .soa(let s) = $0 { s } else { nil } }
    }

    public func lookupSRV(_ name: DomainName) async -> DNSLookup<SRVRecord> {
        await typed(name, .srv) { if case .srv(let s) = $0 { s } else { nil } }
    }

    public func lookupTLSA(_ name: DomainName) async -> DNSLookup<TLSARecord> {
        await typed(name, .tlsa) { if case .tlsa(let t) = $0 { t } else { nil } }
    }
}
