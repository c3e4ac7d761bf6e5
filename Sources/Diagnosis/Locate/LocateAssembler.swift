import DNSWire
import MailCore

/// Turns what the locate stage gathered into a `LocateResult`: host records, findings and the
/// evidence they point to. Sequential and pure, so ids and order are stable.
struct LocateAssembler {
    let domain: DomainName
    var evidence: [Evidence] = []
    var traces: [DNSTrace] = []
    var findings: [Finding] = []
    var cited: [String: String] = [:]
    var sawAD = false
    var recursiveServers: Set<String> = []
    var mxEvidence = "dns-1"

    init(domain: DomainName) { self.domain = domain }

    /// Records an answer as evidence (once) and returns its id.
    mutating func cite(_ a: DNSAnswer) -> String {
        let key = "\(a.query)|\(a.query.checkingDisabled)"
        if let id = cited[key] { return id }
        let id = "dns-\(evidence.count + 1)"
        cited[key] = id
        if a.authenticated { sawAD = true }
        if a.query.server == nil {
            for t in a.traces where t.transport == .udp || t.transport == .tcp { recursiveServers.insert(t.server) }
        }
        traces += a.traces
        var lines = a.traces.map(\.description)
        lines += (a.answers + a.authority).map(\.description)
        if let d = a.detail { lines.append(d) }
        evidence.append(Evidence(id: id, kind: .dns, title: "\(a.query.question)" + (a.query.server.map { " @\($0)" } ?? ""),
                                 lines: lines))
        return id
    }

    mutating func raise(_ id: String, _ subject: String, _ detail: String, _ evidence: [String]) {
        guard let def = FindingCatalog.definition(id) else {
            preconditionFailure("finding \(id) is not in the catalog")
        }
        findings.append(def.raise(subject: subject, detail: detail, evidence: evidence))
    }

    static func describe(_ a: DNSAnswer) -> String {
        a.detail ?? "\(a.query.question): \(a.status.rawValue)\(a.rcode.map { " (\($0))" } ?? "")"
    }

    mutating func assemble(mx: DNSAnswer, mxRecords: [MXRecord], implicitA: DNSAnswer?, implicitAAAA: DNSAnswer?,
                           hosts gathered: [LocateStage.HostGather], unexamined: [DomainName],
                           zone: LocateStage.ZoneGather?, dnssec: LocateStage.DNSSECGather) -> LocateResult {
        let mxID = cite(mx)
        mxEvidence = mxID
        let subject = domain.description
        var kind: LocateResult.MXKind
        var failure: String?
        switch mx.status {
        case .answer:
            let nulls = mxRecords.filter(\.isNullMX)
            if !nulls.isEmpty && nulls.count == mxRecords.count {
                kind = .nullMX
                raise("dns.mx.null", subject, "\(domain.description) publishes \"MX 0 .\": it accepts no mail (RFC 7505).", [mxID])
            } else {
                kind = .explicit
                if !nulls.isEmpty {
                    raise("dns.mx.null-mixed", subject,
                          "\(domain.description) publishes a null MX and \(mxRecords.count - nulls.count) other MX record(s); the null MX is ignored here.",
                          [mxID])
                }
            }
        case .nodata:
            let ids = [implicitA, implicitAAAA].compactMap { $0 }.map { cite($0) }
            if gathered.isEmpty {
                kind = .none
                raise("dns.mx.none", subject, "\(domain.description) has no MX record and no A/AAAA record: senders have nowhere to deliver.",
                      [mxID] + ids)
            } else {
                kind = .implicit
                raise("dns.mx.implicit", subject,
                      "\(domain.description) has no MX record; senders deliver to its own address (implicit MX, RFC 5321 §5.1).",
                      [mxID] + ids)
            }
        case .nxdomain:
            kind = .nxdomain
            failure = "\(domain.description) does not exist (NXDOMAIN from \(mx.server?.description ?? "the resolver"))"
            raise("dns.domain.nxdomain", subject, failure!, [mxID])
        default:
            kind = .failed
            failure = Self.describe(mx)
            raise("dns.lookup.failed", subject, "MX lookup for \(domain.description) failed: \(failure!)", [mxID])
        }

        var hosts: [MailHost] = []
        for g in gathered { hosts.append(host(g)) }
        if !unexamined.isEmpty {
            raise("dns.mx.too-many", subject,
                  "\(mxRecords.count) MX records; not examined: \(unexamined.map(\.description).joined(separator: ", "))", [mxID])
        }

        var zoneCheck: ZoneCheck?
        if let zone { zoneCheck = self.zone(zone) }
        let dnssecCheck = self.dnssec(dnssec)

        return LocateResult(domain: domain, resolvers: recursiveServers.sorted(),
                            mxKind: kind, mxRecords: mxRecords, mxTTL: mx.status == .answer ? mx.ttl : nil,
                            mxAuthenticated: mx.authenticated, hosts: hosts, unexaminedHosts: unexamined,
                            zone: zoneCheck, dnssec: dnssecCheck, findings: findings, evidence: evidence,
                            traces: traces, failure: failure)
    }

    mutating func host(_ g: LocateStage.HostGather) -> MailHost {
        let subject = g.name.description
        if g.isLiteral {
            raise("dns.mx.ip-literal", subject, "The MX record names \(g.name.description), an IP address; MX targets must be host names.",
                  [mxEvidence])
            return MailHost(name: g.name, preference: g.preference, status: .ipLiteral, cnameChain: [], addresses: [],
                            authenticated: false, failure: nil)
        }
        guard let a = g.a, let aaaa = g.aaaa else {
            return MailHost(name: g.name, preference: g.preference, status: .failed, cnameChain: [], addresses: [],
                            authenticated: false, failure: "not resolved")
        }
        let ids = [cite(a), cite(aaaa)]
        let chain = a.cnameChain.isEmpty ? aaaa.cnameChain : a.cnameChain
        if !chain.isEmpty {
            raise("dns.mx.cname", subject,
                  "MX target \(g.name.description) is an alias: \(([g.name] + chain).map(\.description).joined(separator: " → ")). Name \(chain.last!.description) in the MX record instead.",
                  ids)
        }
        var status = MailHost.Status.ok
        var failure: String?
        if a.status == .nxdomain || aaaa.status == .nxdomain {
            status = .nxdomain
            let end = chain.last.map { " (alias target \($0.description))" } ?? ""
            raise("dns.mx.nxdomain", subject, "MX target \(g.name.description)\(end) does not exist (NXDOMAIN).", ids)
        } else if a.status.isTemporaryFailure || aaaa.status.isTemporaryFailure {
            status = .failed
            let bad = a.status.isTemporaryFailure ? a : aaaa
            failure = Self.describe(bad)
            if a.status != .answer && aaaa.status != .answer {
                raise("dns.lookup.failed", subject, "Address lookup for MX target \(g.name.description) failed: \(failure!)", ids)
            }
        } else if a.status != .answer && aaaa.status != .answer {
            status = .noAddress
            raise("dns.mx.no-address", subject, "MX target \(g.name.description) exists but has no A or AAAA record.", ids)
        }
        if status == .failed && (a.status == .answer || aaaa.status == .answer) { status = .ok }

        var addresses: [HostAddress] = []
        for r in g.reverse {
            let ttl = (r.address.isIPv6 ? aaaa : a).ttl
            let auth = (r.address.isIPv6 ? aaaa : a).authenticated
            addresses.append(reverse(r, host: g.name, ttl: ttl, authenticated: auth, hostEvidence: ids))
        }
        return MailHost(name: g.name, preference: g.preference, status: status, cnameChain: chain, addresses: addresses,
                        ipv4TTL: a.status == .answer ? a.ttl : nil, ipv6TTL: aaaa.status == .answer ? aaaa.ttl : nil,
                        authenticated: a.authenticated && aaaa.authenticated, failure: failure)
    }

    mutating func reverse(_ r: LocateStage.ReverseGather, host: DomainName, ttl: UInt32?, authenticated: Bool,
                          hostEvidence: [String]) -> HostAddress {
        let subject = "\(r.address) (\(host.description))"
        let ptrID = cite(r.ptr)
        let names = r.ptr.rdata.compactMap { if case .ptr(let n) = $0 { n } else { nil } }
        var confirmed: [DomainName] = []
        var forwardIDs: [String] = []
        for (name, answer) in r.forward {
            forwardIDs.append(cite(answer))
            let back = answer.rdata.contains { d in
                switch d {
                case .a(let ip), .aaaa(let ip): return ip == r.address
                default: return false
                }
            }
            if back { confirmed.append(name) }
        }
        switch r.ptr.status {
        case .nxdomain, .nodata:
            raise("dns.ptr.missing", subject, "\(r.address) has no PTR record (\(r.address.reverseName.description) is \(r.ptr.status.rawValue.uppercased())).",
                  [ptrID] + hostEvidence)
        case .answer:
            if confirmed.isEmpty {
                let details = r.forward.map { name, answer in
                    let got = answer.rdata.map(\.description)
                    return "\(name.description) → " + (got.isEmpty ? answer.status.rawValue.uppercased() : got.joined(separator: ", "))
                }.joined(separator: "; ")
                raise("dns.fcrdns.mismatch", subject, "PTR of \(r.address) names \(names.map(\.description).joined(separator: ", ")), which does not resolve back to it (\(details)).",
                      [ptrID] + forwardIDs)
            }
        default:
            raise("dns.lookup.failed", subject, "PTR lookup for \(r.address) failed: \(Self.describe(r.ptr))", [ptrID])
        }
        return HostAddress(address: r.address, ttl: ttl, ptrStatus: r.ptr.status, ptrNames: names,
                           ptrTTL: r.ptr.status == .answer ? r.ptr.ttl : nil, confirmedNames: confirmed,
                           authenticated: authenticated)
    }

    mutating func zone(_ z: LocateStage.ZoneGather) -> ZoneCheck? {
        _ = cite(z.soa)
        guard let apex = z.apex, let ns = z.ns else { return nil }
        let nsID = cite(ns)
        var probes: [NameserverProbe] = []
        var probeIDs: [String] = []
        for s in z.servers {
            let addrIDs = s.addressAnswers.map { cite($0) }
            if s.probes.isEmpty {
                probes.append(NameserverProbe(name: s.name, address: nil, status: .noAddress, detail: "no A/AAAA record"))
                raise("dns.ns.lame", s.name.description, "Name server \(s.name.description) of \(apex.description) has no address.", [nsID] + addrIDs)
                continue
            }
            for p in s.probes {
                let ids = [cite(p.soa), cite(p.mx)]
                probeIDs += ids
                let subject = "\(s.name.description) (\(p.address))"
                let serial = p.soa.records.compactMap { rr -> UInt32? in if case .soa(let x) = rr.data { x.serial } else { nil } }.first
                var why: String?
                switch p.soa.status {
                case .answer where p.soa.authoritative: break
                case .answer, .nodata: why = "answered without the AA flag (not authoritative for \(apex.description))"
                case .timeout, .unreachable: why = "did not answer (\(Self.describe(p.soa)))"
                case .refused: why = "refused the query"
                default: why = "answered \(p.soa.rcode?.description ?? p.soa.status.rawValue)"
                }
                var mxSet: [MXRecord]?
                switch p.mx.status {
                case .answer:
                    mxSet = p.mx.rdata.compactMap { if case .mx(let m) = $0 { m } else { nil } }
                        .sorted { ($0.preference, $0.exchange.description) < ($1.preference, $1.exchange.description) }
                case .nodata, .nxdomain: mxSet = []
                default: mxSet = nil
                }
                let rtt = p.soa.traces.last?.rttMicroseconds
                if let why {
                    probes.append(NameserverProbe(name: s.name, address: p.address, status: .lame, soaSerial: serial,
                                                  mxRecords: nil, rttMicroseconds: rtt, detail: why))
                    raise("dns.ns.lame", subject, "Name server \(s.name.description) at \(p.address) \(why).", [nsID] + ids)
                } else {
                    probes.append(NameserverProbe(name: s.name, address: p.address, status: .ok, soaSerial: serial,
                                                  mxRecords: mxSet, rttMicroseconds: rtt, detail: nil))
                }
            }
        }
        let ok = probes.filter { $0.status == .ok }
        let serials = Array(Set(ok.compactMap(\.soaSerial))).sorted()
        let mxSets = Set(ok.compactMap { $0.mxRecords.map { $0.map { "\($0.preference) \($0.exchange.description)" } } })
        let consistent = serials.count <= 1 && mxSets.count <= 1
        if !consistent {
            var parts: [String] = []
            if serials.count > 1 {
                parts.append("SOA serials " + ok.map { "\($0.name.description)@\($0.address.map(\.description) ?? "?")=\($0.soaSerial.map(String.init) ?? "-")" }.joined(separator: ", "))
            }
            if mxSets.count > 1 {
                parts.append("MX sets " + ok.map { "\($0.address.map(\.description) ?? "?"): [\(($0.mxRecords ?? []).map { "\($0.preference) \($0.exchange.description)" }.joined(separator: ", "))]" }.joined(separator: "; "))
            }
            raise("dns.ns.inconsistent", apex.description, "The servers of \(apex.description) disagree: \(parts.joined(separator: "; ")).",
                  [nsID] + probeIDs)
        }
        return ZoneCheck(apex: apex, nameservers: probes, serials: serials, consistent: consistent)
    }

    mutating func dnssec(_ d: LocateStage.DNSSECGather) -> DNSSECCheck {
        guard let key = d.dnskey else {
            return DNSSECCheck(state: .unknown, zone: nil, dnskeyCount: 0, resolverValidates: sawAD)
        }
        let keyID = cite(key)
        let zone = key.query.name
        let keys = key.records.count
        var state: DNSSECCheck.State
        switch key.status {
        case .answer:
            state = key.authenticated ? .validated : .signedNotValidated
        case .nodata, .nxdomain:
            state = .unsigned
        case .servfail:
            if let cd = d.checkingDisabled, cd.status == .answer {
                state = .bogus
                raise("dns.dnssec.bogus", zone.description,
                      "The resolver answers SERVFAIL for \(zone.description) DNSKEY but answers with validation disabled (CD): the signatures or the DS do not validate.",
                      [keyID, cite(cd)])
            } else {
                state = .unknown
                if let cd = d.checkingDisabled { _ = cite(cd) }
            }
        default:
            state = .unknown
        }
        if key.authenticated { sawAD = true }
        switch state {
        case .unsigned:
            raise("dns.dnssec.unsigned", zone.description, "\(zone.description) publishes no DNSKEY: answers about its mail hosts cannot be authenticated.", [keyID])
        case .signedNotValidated:
            raise("dns.dnssec.not-validated", zone.description,
                  "\(zone.description) publishes \(keys) DNSKEY record(s) but the resolver did not set AD" + (sawAD ? " for it (it validates other answers: check the DS at the parent)." : " on any answer (it does not validate)."),
                  [keyID])
        default: break
        }
        return DNSSECCheck(state: state, zone: zone, dnskeyCount: keys, resolverValidates: sawAD)
    }
}
