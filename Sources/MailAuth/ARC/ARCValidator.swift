import Crypto
import DNSWire
import MailCore

/// Validates a message's ARC chain (RFC 8617 §5.2), reusing DKIM's header splitting,
/// canonicalisation and b= removal (`DKIMVerifier`) and key records (`DKIMKeyRecord`).
/// Pure over `DNSResolver`: keys come from the lab, the network or an in-memory zone.
public struct ARCValidator: Sendable {
    public let resolver: any DNSResolver
    public init(resolver: any DNSResolver) { self.resolver = resolver }

    /// RFC 8617 §4.2.1: at most 50 ARC sets.
    static let maxInstances = 50

    struct RawSet {
        var aar: [DKIMVerifier.Field] = []
        var ams: [(DKIMVerifier.Field, TagList)] = []
        var seal: [(DKIMVerifier.Field, TagList)] = []
    }

    public func validate(message: [UInt8]) async -> ARCValidation {
        let (fields, body) = DKIMVerifier.split(message)
        return await validate(fields: fields, body: body)
    }

    func validate(fields: [DKIMVerifier.Field], body: [UInt8]) async -> ARCValidation {
        var sets: [Int: RawSet] = [:]
        var result = ARCValidation(status: .none)
        func fail(_ why: String, _ i: Int? = nil) -> ARCValidation {
            result.status = .fail; result.reason = why; result.failedInstance = i
            return result
        }
        // RFC 8617 §5.2 step 1: collect the ARC sets.
        for f in fields {
            let name = f.name.trimmingSpaces().lowercased()
            switch name {
            case "arc-authentication-results":
                guard let i = Self.aarInstance(f.value) else {
                    return fail("an ARC-Authentication-Results does not start with a valid \"i=N;\" (RFC 8617 §4.1.1)")
                }
                sets[i, default: RawSet()].aar.append(f)
            case "arc-message-signature", "arc-seal":
                let tags: TagList
                switch ARCSignatureCheck.tags(f) { case .success(let t): tags = t; case .failure(let e): return fail(e.message) }
                guard let iv = tags["i"], let i = Int(iv), iv.allSatisfy({ $0.isASCII && $0.isNumber }), (1...Self.maxInstances).contains(i) else {
                    return fail("an \(name == "arc-seal" ? "ARC-Seal" : "ARC-Message-Signature") has no valid i= instance 1–50 (RFC 8617 §4.2.1)")
                }
                if name == "arc-seal" { sets[i, default: RawSet()].seal.append((f, tags)) } else { sets[i, default: RawSet()].ams.append((f, tags)) }
            default: continue
            }
        }
        guard !sets.isEmpty else { return result }  // cv=none: no chain
        let n = sets.keys.max()!
        for i in 1...n {
            let s = sets[i] ?? RawSet()
            var info = ARCValidation.SetResult(instance: i)
            if let aar = s.aar.first {
                info.authenticationResults = try? AuthenticationResults.parseARC(aar.value.replacingOccurrencesOfCRLF())
                info.authservID = info.authenticationResults?.authservID
            }
            info.sealDomain = s.seal.first?.1["d"]; info.sealSelector = s.seal.first?.1["s"]; info.statedCV = s.seal.first?.1["cv"]
            info.messageSignatureDomain = s.ams.first?.1["d"]; info.messageSignatureSelector = s.ams.first?.1["s"]
            result.sets.append(info)
        }
        // RFC 8617 §4.2.1 / §5.2 step 3: instances 1…N, each with exactly one AAR, AMS and AS.
        for i in 1...n {
            let s = sets[i] ?? RawSet()
            for (what, count) in [("ARC-Authentication-Results", s.aar.count), ("ARC-Message-Signature", s.ams.count), ("ARC-Seal", s.seal.count)] {
                if count == 0 { return fail("instance \(i) has no \(what): the chain is broken (RFC 8617 §5.2 step 3)", i) }
                if count > 1 { return fail("instance \(i) has \(count) \(what) fields (RFC 8617 §4.2.1)", i) }
            }
        }
        // RFC 8617 §5.2 step 2: a chain whose newest seal says cv=fail has already failed.
        if sets[n]!.seal[0].1["cv"] == "fail" { return fail("the newest ARC-Seal (i=\(n)) states cv=fail (RFC 8617 §5.2 step 2)", n) }
        // RFC 8617 §4.1.3 / §5.1.1: i=1 seals cv=none, every later one cv=pass; no h= in a seal.
        for i in 1...n {
            let t = sets[i]!.seal[0].1
            let want = i == 1 ? "none" : "pass"
            guard let cv = t["cv"] else { return fail("ARC-Seal i=\(i) has no cv= tag (RFC 8617 §4.1.3)", i) }
            guard cv == want else { return fail("ARC-Seal i=\(i) states cv=\(cv.prefix(20)); instance \(i) must state cv=\(want) (RFC 8617 §5.1.1)", i) }
            if t["h"] != nil { return fail("ARC-Seal i=\(i) carries an h= tag, which seals must not (RFC 8617 §4.1.3)", i) }
        }
        let check = ARCSignatureCheck(resolver: resolver)
        // RFC 8617 §5.2 step 4: the newest AMS must validate. Step 5 (optional): older ones, for oldest-pass.
        var oldestPass: Int? = nil
        var stillPassing = true
        for i in stride(from: n, through: 1, by: -1) {
            let (f, t) = sets[i]!.ams[0]
            let o = await verifyAMS(f, t, fields: fields, body: body, check: check)
            result.sets[i - 1].messageSignatureResult = o.result
            result.sets[i - 1].messageSignatureReason = o.reason
            if i == n, o.result != .pass {
                result.temporary = o.result == .temperror
                return fail("ARC-Message-Signature i=\(n) does not validate: \(o.reason ?? o.result.rawValue) (RFC 8617 §5.2 step 4)", n)
            }
            if stillPassing, o.result == .pass { oldestPass = i } else { stillPassing = false }
        }
        result.oldestPass = oldestPass
        // RFC 8617 §5.2 step 6: every seal, newest first.
        for i in stride(from: n, through: 1, by: -1) {
            let (f, t) = sets[i]!.seal[0]
            let common: ARCSignatureCheck.Common
            switch ARCSignatureCheck.common(t, what: "ARC-Seal i=\(i)") { case .success(let c): common = c; case .failure(let e): return fail(e.message, i) }
            // RFC 8617 §5.1.1: the seal signs the sets 1…i in order AAR, AMS, AS, relaxed
            // canonicalisation, this seal with b= empty and no final CRLF.
            var data = ""
            for k in 1...i {
                let s = sets[k]!
                data += DKIMVerifier.canonicalHeader(s.aar[0], .relaxed) + "\r\n"
                data += DKIMVerifier.canonicalHeader(s.ams[0].0, .relaxed) + "\r\n"
                if k < i { data += DKIMVerifier.canonicalHeader(s.seal[0].0, .relaxed) + "\r\n" }
            }
            let emptied = DKIMVerifier.Field(name: f.name, raw: DKIMVerifier.emptyB(f.raw), value: DKIMVerifier.emptyB(f.value))
            data += DKIMVerifier.canonicalHeader(emptied, .relaxed)
            let o = await check.verify(common, algorithm: t["a"]!, data: Array(data.utf8))
            result.sets[i - 1].sealResult = o.result
            result.sets[i - 1].sealReason = o.reason
            result.sets[i - 1].keySize = o.keySize
            if o.result != .pass {
                result.temporary = o.result == .temperror
                return fail("ARC-Seal i=\(i) does not validate: \(o.reason ?? o.result.rawValue) (RFC 8617 §5.2 step 6)", i)
            }
        }
        result.status = .pass
        return result
    }

    /// RFC 8617 §4.1.2: the AMS is a DKIM-style signature without v=, with i= the instance.
    func verifyAMS(_ f: DKIMVerifier.Field, _ t: TagList, fields: [DKIMVerifier.Field], body: [UInt8],
                   check: ARCSignatureCheck) async -> ARCSignatureCheck.Outcome {
        let what = "ARC-Message-Signature"
        let common: ARCSignatureCheck.Common
        switch ARCSignatureCheck.common(t, what: what) {
        case .success(let c): common = c
        case .failure(let e): return .init(result: .permerror, reason: e.message)
        }
        guard let hTag = t["h"] else { return .init(result: .permerror, reason: "\(what) has no h= tag (RFC 8617 §4.1.2)") }
        guard let bhTag = t["bh"], let bh = Base64.decode(bhTag.filter { !" \t\r\n".contains($0) }), bh.count == 32 else {
            return .init(result: .permerror, reason: "\(what) has no valid bh= body hash (RFC 6376 §3.5)")
        }
        // RFC 6376 §3.5: c= header/body canonicalisation, default simple/simple; RFC 8617 §4.1.2
        // keeps DKIM's semantics. (The draft-era ValiMail suite's ams_fields_c_na assumes
        // relaxed/relaxed; we follow the RFC and that one case fails, as the suite test reports.)
        let c = t["c"] ?? "simple"
        let parts = c.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard (1...2).contains(parts.count), let hc = DKIMCanonicalization(rawValue: parts[0]),
              let bc = DKIMCanonicalization(rawValue: parts.count > 1 ? parts[1] : "simple") else {
            return .init(result: .permerror, reason: "\(what) c=\(c.prefix(30)) is not a canonicalisation (RFC 6376 §3.5)")
        }
        let signed = hTag.isEmpty ? [] : hTag.split(separator: ":", omittingEmptySubsequences: false).map { $0.filter { !" \t\r\n".contains($0) }.lowercased() }
        // RFC 8617 §4.1.2: the AMS must not sign ARC-Seal fields.
        if signed.contains("arc-seal") { return .init(result: .permerror, reason: "\(what) h= includes ARC-Seal (RFC 8617 §4.1.2)") }
        // RFC 6376 §3.7: body hash.
        guard Array(SHA256.hash(data: DKIMVerifier.canonicalBody(body, bc))) == bh else {
            return .init(result: .fail, reason: "the body hash does not match bh=: the body changed after signing")
        }
        // Header hash: signed fields bottom-up, each used once, then this AMS with b= empty.
        var used = Set<Int>()
        var data = ""
        for name in signed {
            if let k = fields.indices.reversed().first(where: { !used.contains($0) && fields[$0].name.trimmingSpaces().lowercased() == name }) {
                used.insert(k)
                data += DKIMVerifier.canonicalHeader(fields[k], hc) + "\r\n"
            }
        }
        let emptied = DKIMVerifier.Field(name: f.name, raw: DKIMVerifier.emptyB(f.raw), value: DKIMVerifier.emptyB(f.value))
        data += DKIMVerifier.canonicalHeader(emptied, hc)
        return await check.verify(common, algorithm: t["a"]!, data: Array(data.utf8))
    }

    /// The instance of an ARC-Authentication-Results value: `[CFWS] "i" [CFWS] "=" [CFWS] 1*2DIGIT [CFWS] ";"`.
    static func aarInstance(_ value: String) -> Int? {
        var sc = HeaderScanner(value.replacingOccurrencesOfCRLF())
        sc.skipCFWS()
        guard sc.eat("i") else { return nil }
        sc.skipCFWS()
        guard sc.eat("=") else { return nil }
        sc.skipCFWS()
        let n = sc.readToken(stops: [UInt8(ascii: ";")])
        sc.skipCFWS()
        guard sc.eat(";"), n.count <= 2, n.allSatisfy({ $0.isASCII && $0.isNumber }), let i = Int(n), (1...maxInstances).contains(i) else { return nil }
        return i
    }
}
