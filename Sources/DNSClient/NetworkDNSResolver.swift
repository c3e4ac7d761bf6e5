import DNSWire
import MailCore
import NIOCore
import NIOPosix
import Foundation

/// The real `DNSResolver`: asks recursive servers over UDP (TCP when the reply is truncated), with
/// a per-server timeout, `attempts` rounds over the servers, a TTL-bounded cache for the run, and a
/// `DNSTrace` for every exchange.
///
/// Per query: a random 16-bit ID and one of several long-lived sockets per server, each on its own
/// kernel-chosen random port and replaced after a few hundred queries or seconds (RFC 5452 §9.2,
/// `DNSUDPPool`); the reply counts only if it comes from the server, carries the ID and repeats the
/// question (RFC 5452 §9.1). DO is set (RFC 3225) and AD is reported per answer (RFC 4035 §3.2.3).
/// SERVFAIL and REFUSED move on to the next server as stub resolvers do; NXDOMAIN and NODATA are
/// final.
public final class NetworkDNSResolver: DNSResolver, @unchecked Sendable {
    public let configuration: ResolverConfiguration
    let group: any EventLoopGroup
    let cache: DNSCache?
    let udpPool: DNSUDPPool
    private var rotation = 0
    private let rotationLock = NSLock()

    public init(configuration: ResolverConfiguration, cache: Bool = true,
                group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.configuration = configuration
        self.group = group
        self.cache = cache ? DNSCache() : nil
        self.udpPool = DNSUDPPool(group: group)
    }

    public var cachedAnswers: Int { cache?.count ?? 0 }

    public func resolve(_ query: DNSQuery) async -> DNSAnswer {
        if query.server == nil, let hit = cache?.get(query) { return hit }
        let answer = await resolveUncached(query)
        cache?.put(answer)
        return answer
    }

    func serverOrder(for query: DNSQuery) -> [DNSServerAddress] {
        if let s = query.server { return [s] }
        let servers = configuration.servers
        guard configuration.rotate, servers.count > 1 else { return servers }
        rotationLock.lock()
        rotation += 1
        let start = rotation
        rotationLock.unlock()
        let k = start % servers.count
        return Array(servers[k...] + servers[..<k])
    }

    func resolveUncached(_ query: DNSQuery) async -> DNSAnswer {
        let servers = serverOrder(for: query)
        guard !servers.isEmpty else {
            return DNSAnswer(query: query, status: .unreachable,
                             detail: "no DNS server configured (\(configuration.source) lists none); give one with --resolver HOST[:PORT]")
        }
        var traces: [DNSTrace] = []
        var fallback: DNSAnswer?  // a SERVFAIL/REFUSED/malformed reply kept in case no server does better
        var unreachable: [String: String] = [:]
        let timeout = TimeAmount.nanoseconds(Int64(configuration.timeout.components.seconds) * 1_000_000_000
                                             + configuration.timeout.components.attoseconds / 1_000_000_000)
        for _ in 0..<configuration.attempts {
            for server in servers where unreachable[server.description] == nil {
                let result = await exchange(query, server: server, timeout: timeout)
                traces += result.traces
                switch result.kind {
                case .final(var answer):
                    answer.traces = traces
                    switch answer.status {
                    case .servfail, .refused, .error:
                        if fallback == nil || fallback?.status == .error { fallback = answer }
                        continue
                    default:
                        return answer
                    }
                case .timedOut:
                    continue
                case .unreachable(let why):
                    unreachable[server.description] = why
                }
            }
        }
        if var f = fallback {
            f.traces = traces
            f.detail = "\(f.server?.description ?? "the server") answered \(f.rcode?.description ?? f.status.rawValue) for \(query.question)"
                + (servers.count > 1 ? "; no other server did better" : "")
            return f
        }
        let seconds = Double(timeout.nanoseconds) / 1e9
        let secText = seconds == seconds.rounded() ? "\(Int(seconds)) s" : "\(seconds) s"
        if unreachable.count == servers.count {
            let list = servers.map { "\($0): \(unreachable[$0.description] ?? "?")" }.joined(separator: "; ")
            return DNSAnswer(query: query, status: .unreachable, server: nil, traces: traces,
                             detail: "cannot reach the DNS server (\(list)); check the address or use --resolver")
        }
        let tried = servers.map(\.description).joined(separator: ", ")
        return DNSAnswer(query: query, status: .timeout, traces: traces,
                         detail: "no reply from \(tried) for \(query.question) (\(configuration.attempts) attempt(s), \(secText) each)")
    }

    struct ExchangeResult {
        enum Kind { case final(DNSAnswer), timedOut, unreachable(String) }
        var kind: Kind
        var traces: [DNSTrace]
    }

    /// One server: UDP, then TCP if the reply was truncated (RFC 1035 §4.2.1, RFC 7766 §5).
    func exchange(_ query: DNSQuery, server: DNSServerAddress, timeout: TimeAmount) async -> ExchangeResult {
        let address: SocketAddress
        do {
            address = try SocketAddress(ipAddress: server.address.description, port: Int(server.port))
        } catch {
            return ExchangeResult(kind: .unreachable("bad address \(server)"), traces: [])
        }
        let id = UInt16.random(in: 0...UInt16.max)
        let message = DNSMessage.query(id: id, question: query.question, recursionDesired: query.recursionDesired,
                                       dnssecOK: query.dnssecOK, checkingDisabled: query.checkingDisabled)
        guard let wire = try? message.encoded() else {
            return ExchangeResult(kind: .final(DNSAnswer(query: query, status: .error, detail: "cannot encode \(query.question)")), traces: [])
        }
        var traces: [DNSTrace] = []
        var outcome = await udpPool.query(wire, id: id, question: query.question, server: address, timeout: timeout)
        var transport = DNSTrace.Transport.udp
        if case .reply(let m, _, _) = outcome, m.flags.contains(.truncated) {
            traces.append(trace(query, server, .udp, id, outcome))
            outcome = await DNSExchange.tcp(wire, id: id, question: query.question, server: address, timeout: timeout, group: group)
            transport = .tcp
        }
        traces.append(trace(query, server, transport, id, outcome))
        switch outcome {
        case .timeout:
            return ExchangeResult(kind: .timedOut, traces: traces)
        case .unreachable(let why):
            return ExchangeResult(kind: .unreachable(why), traces: traces)
        case .malformed(let e, _):
            return ExchangeResult(kind: .final(DNSAnswer(query: query, status: .error, server: server,
                                                         detail: "\(server) sent a malformed reply: \(e)")), traces: traces)
        case .reply(let m, _, _):
            return ExchangeResult(kind: .final(Self.answer(query, m, server: server)), traces: traces)
        }
    }

    /// Classifies a reply (RFC 2308 §2 for the negative kinds).
    static func answer(_ query: DNSQuery, _ m: DNSMessage, server: DNSServerAddress) -> DNSAnswer {
        var a = DNSAnswer(query: query, status: .error, rcode: m.rcode, flags: m.flags, answers: m.answers,
                          authority: m.authority, additional: m.additional, server: server)
        switch m.rcode {
        case .noError: a.status = a.records.isEmpty ? .nodata : .answer
        case .nxDomain: a.status = .nxdomain
        case .servFail: a.status = .servfail
        case .refused: a.status = .refused
        default: a.status = .error; a.detail = "\(server) answered \(m.rcode) for \(query.question)"
        }
        return a
    }

    func trace(_ q: DNSQuery, _ server: DNSServerAddress, _ transport: DNSTrace.Transport, _ id: UInt16,
               _ outcome: ExchangeOutcome) -> DNSTrace {
        var t = DNSTrace(question: q.question, server: server.description, transport: transport, id: id)
        switch outcome {
        case .reply(let m, let size, let us):
            t.rttMicroseconds = us; t.rcode = m.rcode; t.flags = m.flags; t.answerCount = m.answers.count
            t.authorityCount = m.authority.count; t.additionalCount = m.additional.count + (m.edns == nil ? 0 : 1)
            t.responseSize = size
            if m.flags.contains(.truncated) { t.error = "truncated, retrying over TCP" }
        case .malformed(let e, let us):
            t.rttMicroseconds = us; t.error = e.description
        case .timeout:
            let c = configuration.timeout.components
            t.error = "no reply within \(Int((Double(c.seconds) + Double(c.attoseconds) / 1e18) * 1000)) ms"
        case .unreachable(let why):
            t.error = why
        }
        return t
    }
}
