import Crypto
import DNSWire
import MailCore
import _CryptoExtras

/// RFC 6376 §3.4 canonicalisation algorithms.
public enum DKIMCanonicalization: String, Sendable, Hashable { case simple, relaxed }

/// The result of verifying one DKIM-Signature, named as RFC 8601 §2.7.1 names it.
public enum DKIMResult: String, Sendable, Hashable, Codable { case pass, fail, neutral, temperror, permerror, policy, none }

public struct DKIMVerification: Sendable {
    public var result: DKIMResult
    public var domain: String?
    public var selector: String?
    public var algorithm: String?
    public var reason: String?
    public var keySize: Int?
}

/// Verifies DKIM signatures of a whole message (RFC 6376 §6.1). Pure over `DNSResolver`.
public struct DKIMVerifier: Sendable {
    public let resolver: any DNSResolver
    /// Verification time in seconds since 1970 for `x=` (RFC 6376 §3.5); nil skips the check.
    public var now: Int?
    public init(resolver: any DNSResolver, now: Int? = nil) { self.resolver = resolver; self.now = now }

    /// A header field as it appears in the message: name and the raw text after the colon
    /// (folding kept), without the final CRLF.
    struct Field { let name: String; let raw: String; let value: String }

    static func split(_ message: [UInt8]) -> (fields: [Field], body: [UInt8]) {
        let text = String(decoding: message, as: UTF8.self).replacingCRLF()
        var fields: [Field] = []
        var body: [UInt8] = []
        var current: String?
        var lines = text.components(separatedByCRLF: ())
        var bodyStart: Int?
        for (i, line) in lines.enumerated() {
            if line.isEmpty { bodyStart = i + 1; break }
            if line.first == " " || line.first == "\t", current != nil { current! += "\r\n" + line; continue }
            if let c = current { fields.append(field(c)) }
            current = line
        }
        if let c = current { fields.append(field(c)) }
        if let s = bodyStart {
            lines = Array(lines[s...])
            body = Array(lines.joined(separator: "\r\n").utf8)
        }
        return (fields, body)
    }

    static func field(_ raw: String) -> Field {
        guard let colon = raw.firstIndex(of: ":") else { return Field(name: raw, raw: raw, value: "") }
        return Field(name: String(raw[..<colon]), raw: raw, value: String(raw[raw.index(after: colon)...]))
    }

    /// RFC 6376 §3.4.1 / §3.4.2.
    static func canonicalHeader(_ f: Field, _ c: DKIMCanonicalization) -> String {
        switch c {
        case .simple: return f.raw
        case .relaxed:
            var v = f.value.replacingOccurrencesOfCRLF()
            v = v.collapsingWhitespace()
            var name = f.name.lowercased()
            while let l = name.last, l == " " || l == "\t" { name.removeLast() }
            return name + ":" + v.trimmingSpaces()
        }
    }

    /// RFC 6376 §3.4.3 / §3.4.4 (with erratum 1384: an empty relaxed body stays empty).
    static func canonicalBody(_ body: [UInt8], _ c: DKIMCanonicalization) -> [UInt8] {
        var lines = String(decoding: body, as: UTF8.self).components(separatedByCRLF: ())
        if c == .relaxed {
            lines = lines.map { l in
                var s = l.collapsingWhitespace()
                while let last = s.last, last == " " || last == "\t" { s.removeLast() }
                return s
            }
        }
        while let l = lines.last, l.isEmpty { lines.removeLast() }
        if lines.isEmpty { return c == .simple ? Array("\r\n".utf8) : [] }
        return Array((lines.joined(separator: "\r\n") + "\r\n").utf8)
    }

    /// Verifies every DKIM-Signature field, top first.
    public func verify(message: [UInt8]) async -> [DKIMVerification] {
        let (fields, body) = Self.split(message)
        var out: [DKIMVerification] = []
        for (index, f) in fields.enumerated() where f.name.lowercased() == "dkim-signature" {
            out.append(await verify(f, index: index, fields: fields, body: body))
        }
        return out
    }

    func verify(_ sig: Field, index: Int, fields: [Field], body: [UInt8]) async -> DKIMVerification {
        var v = DKIMVerification(result: .permerror)
        guard let tags = try? TagList.parse(sig.value.replacingOccurrencesOfCRLF(), lowercaseNames: false) else {
            v.reason = "the DKIM-Signature is not a tag list"; return v
        }
        v.domain = tags["d"]; v.selector = tags["s"]; v.algorithm = tags["a"]
        // RFC 6376 §6.1.1: required tags.
        for t in ["v", "a", "b", "bh", "d", "h", "s"] where tags[t] == nil { v.reason = "missing \(t)= tag"; return v }
        guard tags["v"] == "1" else { v.reason = "v= is not 1"; return v }
        let algorithm = tags["a"]!.lowercased()
        guard algorithm == "rsa-sha256" || algorithm == "ed25519-sha256" else { v.reason = "unsupported algorithm \(algorithm)"; return v }
        let canon = (tags["c"] ?? "simple/simple").lowercased().split(separator: "/")
        guard let hc = DKIMCanonicalization(rawValue: String(canon.first ?? "simple")),
              let bc = DKIMCanonicalization(rawValue: canon.count > 1 ? String(canon[1]) : "simple") else {
            v.reason = "unknown canonicalisation \(tags["c"] ?? "")"; return v
        }
        let signed = tags["h"]!.split(separator: ":").map { $0.trimmingSpaces().lowercased() }
        guard signed.contains("from") else { v.reason = "h= does not include From (RFC 6376 §5.4)"; return v }
        guard let bh = Base64.decode(tags["bh"]!.filter { !" \t\r\n".contains($0) }),
              let b = Base64.decode(tags["b"]!.filter { !" \t\r\n".contains($0) }) else { v.reason = "b= or bh= is not base64"; return v }
        guard let domain = try? DomainName(tags["d"]!), let keyName = try? DomainName(tags["s"]! + "._domainkey." + domain.description) else {
            v.reason = "d= or s= is not a domain name"; return v
        }
        // RFC 6376 §6.1.1: the i= domain must be d= or a subdomain of it.
        if let i = tags["i"] {
            let idDomain = i.split(separator: "@", omittingEmptySubsequences: false).last.map(String.init) ?? ""
            guard let idName = try? DomainName(idDomain), idName.isSubdomain(of: domain) else {
                v.reason = "i=\(i) is not in d=\(domain) (RFC 6376 §6.1.1)"; return v
            }
        }
        // RFC 6376 §3.5: x= is the expiry; t= must not be after it.
        if let x = tags["x"] {
            guard let exp = Int(x) else { v.reason = "x= is not a number"; return v }
            if let t = tags["t"].flatMap({ Int($0) }), t > exp { v.reason = "x= is before t="; return v }
            if let now, now > exp { v.reason = "the signature expired at \(exp) (x=)"; return v }
        }
        // Body hash (RFC 6376 §3.7), honouring l=.
        var cbody = Self.canonicalBody(body, bc)
        if let l = tags["l"] {
            guard let n = Int(l), n >= 0, n <= cbody.count else { v.result = .fail; v.reason = "l= is longer than the body"; return v }
            cbody = Array(cbody.prefix(n))
        }
        guard Array(SHA256.hash(data: cbody)) == bh else { v.result = .fail; v.reason = "body hash did not verify"; return v }
        // Header hash: the signed fields bottom-up, then the signature with b= emptied.
        var used = Set<Int>()
        var data = ""
        for name in signed {
            if let i = fields.indices.reversed().first(where: { !used.contains($0) && fields[$0].name.lowercased().trimmingSpaces() == name }) {
                used.insert(i)
                data += Self.canonicalHeader(fields[i], hc) + "\r\n"
            }
        }
        let emptied = Field(name: sig.name, raw: Self.emptyB(sig.raw), value: Self.emptyB(sig.value))
        data += Self.canonicalHeader(emptied, hc)
        // Key (RFC 6376 §6.1.2).
        let a = await resolver.resolve(DNSQuery(keyName, .txt))
        if a.status.isTemporaryFailure { v.result = .temperror; v.reason = "key lookup failed: \(a.status.rawValue)"; return v }
        let texts = a.rdata.compactMap { r -> String? in if case .txt(let t) = r { t.joined } else { nil } }
        guard let text = texts.first else { v.reason = "no key at \(keyName)"; return v }
        guard let key = try? DKIMKeyRecord.parse(text) else { v.reason = "the key record does not parse"; return v }
        v.keySize = key.keySize
        guard !key.isRevoked else { v.reason = "the key is revoked (empty p=)"; return v }
        // RFC 6376 §3.6.1: h= in the key limits the hash algorithms; t=s forbids i= subdomains.
        if let h = key.hashAlgorithms, !h.contains("sha256") { v.reason = "the key does not allow sha256 (h=)"; return v }
        if key.strictIdentity, let i = tags["i"], let at = i.lastIndex(of: "@"), i[i.index(after: at)...].lowercased() != domain.description {
            v.reason = "the key sets t=s and i= is a subdomain of d="; return v
        }
        let bytes = Array(data.utf8)
        let ok: Bool
        switch (algorithm, key.keyType) {
        case ("rsa-sha256", .rsa?):
            guard let pk = try? _RSA.Signing.PublicKey(unsafeDERRepresentation: key.publicKey) else { v.reason = "the RSA key does not load"; return v }
            ok = pk.isValidSignature(_RSA.Signing.RSASignature(rawRepresentation: b), for: SHA256.hash(data: bytes), padding: .insecurePKCS1v1_5)
        case ("ed25519-sha256", .ed25519?):
            // RFC 8463 §3: Ed25519 signs the SHA-256 hash of the header data.
            guard let pk = try? Curve25519.Signing.PublicKey(rawRepresentation: key.publicKey) else { v.reason = "the Ed25519 key does not load"; return v }
            ok = pk.isValidSignature(b, for: Array(SHA256.hash(data: bytes)))
        default:
            v.reason = "key type does not match a="; return v
        }
        v.result = ok ? .pass : .fail
        if !ok { v.reason = "signature did not verify" }
        return v
    }

    /// The field with the value of its b= tag removed (RFC 6376 §3.7).
    static func emptyB(_ s: String) -> String {
        var out = ""
        var i = s.startIndex
        var atTagStart = true
        while i < s.endIndex {
            let c = s[i]
            if atTagStart, c == "b" {
                var j = s.index(after: i)
                while j < s.endIndex, " \t\r\n".contains(s[j]) { j = s.index(after: j) }
                if j < s.endIndex, s[j] == "=" {
                    out += s[i...j]
                    var k = s.index(after: j)
                    while k < s.endIndex, s[k] != ";" { k = s.index(after: k) }
                    i = k
                    atTagStart = false
                    continue
                }
            }
            if c == ";" { atTagStart = true } else if !" \t\r\n:".contains(c) { atTagStart = false }
            out.append(c)
            i = s.index(after: i)
        }
        return out
    }
}

extension String {
    func replacingCRLF() -> String {
        // Bare LF line ends are read as CRLF.
        var out = ""
        var prevCR = false
        for c in unicodeScalars {
            if c == "\n" && !prevCR { out += "\r\n" } else { out.unicodeScalars.append(c) }
            prevCR = c == "\r"
        }
        return out
    }

    func components(separatedByCRLF: ()) -> [String] {
        var out: [String] = []
        var cur = ""
        var it = unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = nil
        while let c = pending ?? it.next() {
            pending = nil
            if c == "\r" {
                if let n = it.next() {
                    if n == "\n" { out.append(cur); cur = ""; continue }
                    cur.unicodeScalars.append(c); pending = n; continue
                }
                cur.unicodeScalars.append(c); continue
            }
            cur.unicodeScalars.append(c)
        }
        out.append(cur)
        return out
    }

    func replacingOccurrencesOfCRLF() -> String {
        components(separatedByCRLF: ()).joined()
    }

    /// Runs of SP/HTAB become one SP.
    func collapsingWhitespace() -> String {
        var out = ""
        var inWS = false
        for c in unicodeScalars {
            if c == " " || c == "\t" { if !inWS { out += " " }; inWS = true } else { out.unicodeScalars.append(c); inWS = false }
        }
        return out
    }
}

extension DKIMVerifier {
    /// RFC 6376 §3.4 body canonicalisation, exposed for tests of the RFC's examples.
    public static func canonicalBodyForTesting(_ body: [UInt8], _ c: DKIMCanonicalization) -> [UInt8] { canonicalBody(body, c) }
    /// RFC 6376 §3.4 header canonicalisation of one raw field (`Name: value`, folding kept).
    public static func canonicalHeaderForTesting(_ raw: String, _ c: DKIMCanonicalization) -> String { canonicalHeader(field(raw), c) }
}
