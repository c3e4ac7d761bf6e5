import DNSWire
import MailCore

extension SPFEvaluator {
    /// Evaluates one mechanism (RFC 7208 §5): true when it matches; throws `Abort` for
    /// temperror/permerror.
    func evaluate(_ mechanism: SPFMechanism, term: SPFTerm, domain d: String, depth: Int, _ s: inout State) async throws -> Bool {
        let ip = s.ctx.ip
        switch mechanism {
        case .all:
            return true  // RFC 7208 §5.1

        case .ip4(let net, let prefix), .ip6(let net, let prefix):
            return ip.matches(net, prefix: prefix)  // RFC 7208 §5.6

        case .include(let spec):
            // RFC 7208 §5.2: pass matches; fail/softfail/neutral do not; temperror propagates;
            // permerror or none is a permerror.
            let target = truncate(await expand(spec, depth, &s))
            s.note(depth, d, .term, "\(term.text) → check_host(\(target))")
            let (savedMatch, savedDomain) = (s.matched, s.decidingDomain)
            let r = try await checkHost(target, depth: depth + 1, inInclude: true, &s)
            // The include's own match decides only whether this term matches (RFC 7208 §5.2).
            (s.matched, s.decidingDomain) = (savedMatch, savedDomain)
            s.ctx.domain = d
            switch r {
            case .pass: return true
            case .fail, .softfail, .neutral: return false
            case .temperror: throw Abort(result: .temperror, reason: "include:\(target) gave temperror")
            case .permerror: throw Abort(result: .permerror, reason: "include:\(target) gave permerror (RFC 7208 §5.2)")
            case .none: throw Abort(result: .permerror, reason: "include:\(target) has no SPF record (RFC 7208 §5.2)")
            }

        case .a(let spec, let v4, let v6):
            // RFC 7208 §5.3.
            let target = try await targetName(spec, d, depth, &s)
            guard let name = target else { return false }
            let addrs = try await addresses(name, depth: depth, d, &s, countVoid: true)
            return addrs.contains { ip.matches($0, prefix: ip.isIPv6 ? (v6 ?? 128) : (v4 ?? 32)) }

        case .mx(let spec, let v4, let v6):
            // RFC 7208 §5.4.
            guard let name = try await targetName(spec, d, depth, &s) else { return false }
            let mx = await resolver.resolve(DNSQuery(name, .mx))
            s.answers.append(mx)
            s.note(depth, d, .lookup, "MX \(name) → \(mx.status.rawValue)")
            if mx.status.isTemporaryFailure { throw Abort(result: .temperror, reason: "MX lookup for \(name) failed: \(mx.status.rawValue)") }
            let hosts = mx.rdata.compactMap { r -> DomainName? in if case .mx(let m) = r, !m.isNullMX { m.exchange } else { nil } }
            if mx.status.isVoid || mx.rdata.isEmpty { try countVoid("MX \(name)", &s); return false }
            // RFC 7208 §4.6.4: more than 10 MX names is a permerror.
            if hosts.count > nameLimit {
                throw Abort(result: .permerror, reason: "mx: \(name) has \(hosts.count) MX records, over the limit of \(nameLimit) (RFC 7208 §4.6.4)")
            }
            for h in hosts {
                let addrs = try await addresses(h, depth: depth, d, &s, countVoid: false)
                if addrs.contains(where: { ip.matches($0, prefix: ip.isIPv6 ? (v6 ?? 128) : (v4 ?? 32)) }) { return true }
            }
            return false

        case .ptr(let spec):
            // RFC 7208 §5.5: validated names equal to or under the target match; DNS errors do not.
            let targetText = spec == nil ? d : truncate(await expand(spec!, depth, &s))
            guard let target = Self.validDomain(targetText) else { return false }
            let names = await validatedNames(depth, d, &s)
            return names.contains { $0.isSubdomain(of: target) }

        case .exists(let spec):
            // RFC 7208 §5.7: an A query, whatever the address family of the client.
            guard let name = try await targetName(spec, d, depth, &s) else { return false }
            let a = await resolver.resolve(DNSQuery(name, .a))
            s.answers.append(a)
            s.note(depth, d, .lookup, "A \(name) → \(a.status.rawValue)")
            if a.status.isTemporaryFailure { throw Abort(result: .temperror, reason: "A lookup for \(name) failed: \(a.status.rawValue)") }
            if a.rdata.isEmpty { try countVoid("exists:\(name)", &s); return false }
            return true
        }
    }

    /// The expanded target of a mechanism (the current domain when none is given); nil when the
    /// expansion is not a name that can be looked up (no match).
    func targetName(_ spec: SPFMacroString?, _ d: String, _ depth: Int, _ s: inout State) async throws -> DomainName? {
        let text = spec == nil ? d : truncate(await expand(spec!, depth, &s))
        guard let name = Self.validDomain(text) else {
            s.note(depth, d, .term, "\"\(text)\" is not a valid domain name: no match")
            return nil
        }
        return name
    }

    /// A or AAAA records of `name` matching the client's address family.
    func addresses(_ name: DomainName, depth: Int, _ d: String, _ s: inout State, countVoid void: Bool) async throws -> [IPAddress] {
        let type: DNSRecordType = s.ctx.ip.isIPv6 ? .aaaa : .a
        let a = await resolver.resolve(DNSQuery(name, type))
        s.answers.append(a)
        s.note(depth, d, .lookup, "\(type) \(name) → \(a.status.rawValue)")
        if a.status.isTemporaryFailure {
            throw Abort(result: .temperror, reason: "\(type) lookup for \(name) failed: \(a.status.rawValue)")
        }
        let out = a.rdata.compactMap { r -> IPAddress? in
            switch r { case .a(let x), .aaaa(let x): return x; default: return nil }
        }
        if out.isEmpty && void { try countVoid("\(type) \(name)", &s) }
        return out
    }

    /// RFC 7208 §5.5: PTR names of the client (at most 10) whose forward lookup gives the address back.
    func validatedNames(_ depth: Int, _ d: String, _ s: inout State) async -> [DomainName] {
        let ip = s.ctx.ip
        let ptr = await resolver.resolve(DNSQuery(ip.reverseName, .ptr))
        s.answers.append(ptr)
        s.note(depth, d, .lookup, "PTR \(ip.reverseName) → \(ptr.status.rawValue)")
        let names = ptr.rdata.compactMap { r -> DomainName? in if case .ptr(let n) = r { n } else { nil } }.prefix(nameLimit)
        var out: [DomainName] = []
        for n in names {
            let type: DNSRecordType = ip.isIPv6 ? .aaaa : .a
            let a = await resolver.resolve(DNSQuery(n, type))
            s.answers.append(a)
            s.note(depth, d, .lookup, "\(type) \(n) → \(a.status.rawValue)")
            if a.rdata.contains(where: { r in
                switch r { case .a(let x), .aaaa(let x): return x == ip; default: return false }
            }) { out.append(n) }
        }
        return out
    }

    /// RFC 7208 §7.3 `%{p}`: a validated name under the target if any, else any validated name.
    func validatedName(target: String, _ depth: Int, _ s: inout State) async -> String? {
        let names = await validatedNames(depth, target, &s)
        if let t = Self.validDomain(target), let n = names.first(where: { $0.isSubdomain(of: t) }) { return n.description }
        return names.first?.description
    }

    /// RFC 7208 §6.2: the explanation for a fail; any problem just means no explanation.
    func explanation(_ spec: SPFMacroString, domain d: String, depth: Int, _ s: inout State) async -> String? {
        let nameText = truncate(await expand(spec, depth, &s))
        guard let name = Self.validDomain(nameText) else { return nil }
        let txt = await resolver.resolve(DNSQuery(name, .txt))
        s.answers.append(txt)
        s.note(depth, d, .lookup, "TXT \(name) (exp) → \(txt.status.rawValue)")
        let records = txt.rdata.compactMap { r -> TXTRecord? in if case .txt(let t) = r { t } else { nil } }
        guard records.count == 1 else { return nil }
        guard let m = try? SPFMacroString.parse(records[0].joined, explanation: true) else { return nil }
        s.ctx.domain = d
        let text = await expand(m, depth, &s)
        return text.allSatisfy({ $0.isASCII }) ? text : nil
    }
}
