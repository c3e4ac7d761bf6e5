import DNSWire
import MailCore

/// RFC 7208 `check_host()` over a `DNSResolver`. Pure: no sockets; every DNS answer is kept as
/// evidence and every step goes to the trace.
public struct SPFEvaluator: Sendable {
    public let resolver: any DNSResolver
    /// RFC 7208 §4.6.4: DNS-querying terms allowed per evaluation.
    public var lookupLimit = 10
    /// RFC 7208 §4.6.4: lookups answering NXDOMAIN or no records allowed per evaluation.
    public var voidLookupLimit = 2
    /// RFC 7208 §4.6.4: names examined per `mx` / `ptr`.
    public var nameLimit = 10

    public init(resolver: any DNSResolver) { self.resolver = resolver }

    struct State {
        var lookups = 0
        var voids = 0
        var trace: [SPFTraceStep] = []
        var answers: [DNSAnswer] = []
        var ctx: SPFMacroContext
        var problem: String?
        var matched: String?
        var decidingDomain = ""
        var explanation: String?

        mutating func note(_ depth: Int, _ domain: String, _ kind: SPFTraceStep.Kind, _ text: String) {
            trace.append(SPFTraceStep(depth: depth, domain: domain, kind: kind, text: text))
        }
    }

    /// An outcome that ends evaluation early (temperror / permerror), with the reason.
    struct Abort: Error { let result: SPFResult; let reason: String }

    /// `check_host()` for the request (RFC 7208 §4).
    public func checkHost(_ request: SPFRequest) async -> SPFEvaluation {
        var sender = request.sender
        // RFC 7208 §2.4: with a null reverse-path the HELO identity is checked as postmaster@helo.
        if sender.isEmpty { sender = "postmaster@" + request.helo }
        var local = "postmaster", senderDomain = sender
        if let at = sender.lastIndex(of: "@") {
            let l = String(sender[..<at])
            if !l.isEmpty { local = l }  // RFC 7208 §4.3: no local-part → "postmaster"
            senderDomain = String(sender[sender.index(after: at)...])
        }
        let domain = request.domain ?? senderDomain
        let ctx = SPFMacroContext(sender: local + "@" + senderDomain, localPart: local, senderDomain: senderDomain,
                                  domain: domain, ip: request.ip.unmappedIPv4, helo: request.helo,
                                  receiver: request.receiver, timestamp: request.timestamp)
        var state = State(ctx: ctx)
        var result: SPFResult
        do {
            result = try await checkHost(domain, depth: 0, inInclude: false, &state)
        } catch let a as Abort {
            result = a.result
            state.problem = a.reason
            state.matched = nil
            state.note(0, domain, .error, "\(a.result.rawValue): \(a.reason)")
        } catch {
            result = .permerror
        }
        state.note(0, domain, .result, result.rawValue + (state.matched.map { " (matched \($0))" } ?? ""))
        return SPFEvaluation(result: result, domain: state.decidingDomain.isEmpty ? domain : state.decidingDomain,
                             matchedTerm: state.matched, explanation: result == .fail ? state.explanation : nil,
                             problem: state.problem, lookupCount: state.lookups, voidLookupCount: state.voids,
                             trace: state.trace, answers: state.answers)
    }

    /// RFC 7208 §4.3: a name check_host() can look up; nil for malformed or single-label names.
    static func validDomain(_ text: String) -> DomainName? {
        var t = Substring(text)
        if t.hasSuffix(".") { t = t.dropLast() }
        let labels = t.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2, t.utf8.count <= 253,
              labels.allSatisfy({ !$0.isEmpty && $0.utf8.count <= 63 }) else { return nil }
        // Macro expansion can yield any visible characters; DNS carries them (RFC 2181 §11).
        return DomainName(uncheckedLabels: labels.map(String.init))
    }

    func checkHost(_ domainText: String, depth: Int, inInclude: Bool, _ s: inout State) async throws -> SPFResult {
        guard depth < 40 else { throw Abort(result: .permerror, reason: "include/redirect nesting deeper than 40") }
        // RFC 7208 §4.3: a malformed or single-label domain gives "none".
        guard let domain = Self.validDomain(domainText) else {
            s.note(depth, domainText, .result, "none: \"\(domainText)\" is not a valid multi-label domain name (RFC 7208 §4.3)")
            return .none
        }
        let d = domain.description
        s.decidingDomain = d
        s.ctx.domain = d
        // RFC 7208 §4.4: records are looked up as TXT.
        let answer = await resolver.resolve(DNSQuery(domain, .txt))
        s.answers.append(answer)
        s.note(depth, d, .lookup, "TXT \(d) → \(answer.status.rawValue)")
        if answer.status.isTemporaryFailure {
            throw Abort(result: .temperror, reason: "TXT lookup for \(d) failed: \(answer.status.rawValue) (RFC 7208 §4.4)")
        }
        let records = answer.rdata.compactMap { r -> TXTRecord? in if case .txt(let t) = r { t } else { nil } }
            .filter { SPFRecord.isSPF($0.joinedOctets) }
        // RFC 7208 §4.5: no record → none; more than one → permerror.
        if records.isEmpty {
            s.note(depth, d, .result, "none: no v=spf1 record")
            return .none
        }
        if records.count > 1 {
            throw Abort(result: .permerror, reason: "\(d) publishes \(records.count) SPF records (RFC 7208 §4.5)")
        }
        let text = records[0].joined
        s.note(depth, d, .record, text)
        let record: SPFRecord
        do { record = try SPFRecord.parse(text) } catch {
            throw Abort(result: .permerror, reason: "syntax error in the record of \(d) \(error.description) (RFC 7208 §4.6)")
        }
        var sawAll = false
        for (qualifier, mechanism, term) in record.mechanisms {
            if case .all = mechanism { sawAll = true }
            s.ctx.domain = d
            if mechanism.countsAsLookup { try countLookup(term.text, depth, d, &s) }
            let matched = try await evaluate(mechanism, term: term, domain: d, depth: depth, &s)
            s.note(depth, d, .term, "\(term.text) → \(matched ? "match" : "no match")")
            if matched {
                s.matched = term.text
                s.decidingDomain = d
                if qualifier == .fail && !inInclude, let (exp, _) = record.exp {
                    s.explanation = await explanation(exp, domain: d, depth: depth, &s)
                }
                return qualifier.result
            }
        }
        // RFC 7208 §6.1: redirect applies only when no mechanism matched and there is no "all".
        if let (target, term) = record.redirect, !sawAll {
            try countLookup(term.text, depth, d, &s)
            s.ctx.domain = d
            let name = truncate(await expand(target, depth, &s))
            s.note(depth, d, .term, "\(term.text) → \(name)")
            let r = try await checkHost(name, depth: depth + 1, inInclude: inInclude, &s)
            // RFC 7208 §6.1: a redirect to a domain without a record is a permerror.
            if r == .none { throw Abort(result: .permerror, reason: "redirect=\(name): no SPF record there (RFC 7208 §6.1)") }
            return r
        }
        s.note(depth, d, .result, "neutral: no mechanism matched (RFC 7208 §4.7)")
        s.decidingDomain = d
        return .neutral
    }

    func countLookup(_ term: String, _ depth: Int, _ d: String, _ s: inout State) throws {
        s.lookups += 1
        if s.lookups > lookupLimit {
            throw Abort(result: .permerror, reason: "\(term) (in the record of \(d)) is DNS lookup \(s.lookups), over the limit of \(lookupLimit) (RFC 7208 §4.6.4)")
        }
    }

    func countVoid(_ what: String, _ s: inout State) throws {
        s.voids += 1
        if s.voids > voidLookupLimit {
            throw Abort(result: .permerror, reason: "\(what) is void lookup \(s.voids), over the limit of \(voidLookupLimit) (RFC 7208 §4.6.4)")
        }
    }

    /// RFC 7208 §7.3: names over 253 characters lose left-hand labels until they fit.
    func truncate(_ name: String) -> String {
        var n = Substring(name)
        while n.utf8.count > 253, let dot = n.firstIndex(of: ".") { n = n[n.index(after: dot)...] }
        return String(n)
    }

    func expand(_ m: SPFMacroString, _ depth: Int, _ s: inout State) async -> String {
        if m.parts.contains(where: { if case .macro("p", _, _, _, _) = $0 { true } else { false } }), s.ctx.validatedName == nil {
            s.ctx.validatedName = await validatedName(target: s.ctx.domain, depth, &s) ?? "unknown"
        }
        return m.expand(s.ctx)
    }
}
