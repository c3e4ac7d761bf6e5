import Crypto
import DNSWire
import MailCore
import _CryptoExtras

/// A DKIM key record (RFC 6376 §3.6.1, RFC 8463 §4.2) at `<selector>._domainkey.<domain>`.
public struct DKIMKeyRecord: Sendable, Hashable {
    public enum KeyType: String, Sendable, Hashable, Codable { case rsa, ed25519 }
    public let tags: TagList
    public var keyType: KeyType?
    /// The `k=` value when it names an unsupported type.
    public var unknownKeyType: String?
    /// Decoded `p=`; empty: the key is revoked (RFC 6376 §3.6.1).
    public var publicKey: [UInt8]
    /// Bits of the RSA modulus, 256 for Ed25519; nil when the key does not parse.
    public var keySize: Int?
    /// `t=y`: the domain is testing DKIM. `t=s`: i= must equal d= exactly.
    public var testing = false
    public var strictIdentity = false
    public var hashAlgorithms: [String]?
    public var problems: [String] = []

    public var isRevoked: Bool { publicKey.isEmpty }

    public struct SyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
        public let position: Int
        public let message: String
        public var description: String { "at character \(position + 1): \(message)" }
    }

    public static func parse(_ text: String) throws(SyntaxError) -> DKIMKeyRecord {
        let tags: TagList
        do { tags = try TagList.parse(text, lowercaseNames: false) } catch { throw SyntaxError(position: error.position, message: error.message) }
        // RFC 6376 §3.6.1: v=, when present, must be first and be DKIM1.
        if let v = tags.tag("v") {
            guard v.position == tags.tags.first?.position, v.value == "DKIM1" else {
                throw SyntaxError(position: v.position, message: "\"v=\" must come first and be \"DKIM1\"")
            }
        }
        guard let p = tags.tag("p") else { throw SyntaxError(position: 0, message: "the required \"p=\" tag is missing (RFC 6376 §3.6.1)") }
        guard let key = Base64.decode(p.value.filter { !" \t\r\n".contains($0) }) else {
            throw SyntaxError(position: p.position, message: "\"p=\" is not base64")
        }
        var r = DKIMKeyRecord(tags: tags, publicKey: key)
        let k = (tags["k"] ?? "rsa").lowercased()
        r.keyType = KeyType(rawValue: k)
        if r.keyType == nil { r.unknownKeyType = k; r.problems.append("unknown key type k=\(k)") }
        if let t = tags["t"] {
            let flags = t.split(separator: ":").map { $0.trimmingSpaces().lowercased() }
            r.testing = flags.contains("y")
            r.strictIdentity = flags.contains("s")
        }
        if let h = tags["h"] { r.hashAlgorithms = h.split(separator: ":").map { $0.trimmingSpaces().lowercased() } }
        if !key.isEmpty {
            switch r.keyType {
            case .rsa:
                r.keySize = DER.rsaModulusBits(key)
                if r.keySize == nil { r.problems.append("p= is not an RSA public key") }
            case .ed25519:
                // RFC 8463 §4.2: the bare 32-octet key.
                if key.count == 32, (try? Curve25519.Signing.PublicKey(rawRepresentation: key)) != nil { r.keySize = 256 } else {
                    r.problems.append("p= is not a 32-octet Ed25519 key (RFC 8463 §4.2)")
                }
            case nil: break
            }
        }
        return r
    }
}

/// The minimum DER reading needed for an RSA key's size: SubjectPublicKeyInfo or a bare
/// RSAPublicKey (RFC 3447 A.1.1), both seen in DKIM records.
enum DER {
    /// Reads one TLV at `i`: (tag, content range); nil when malformed.
    static func tlv(_ b: [UInt8], _ i: Int) -> (tag: UInt8, start: Int, end: Int)? {
        guard i + 2 <= b.count else { return nil }
        let tag = b[i]
        var len = Int(b[i + 1])
        var start = i + 2
        if len & 0x80 != 0 {
            let n = len & 0x7F
            guard n >= 1, n <= 4, start + n <= b.count else { return nil }
            len = 0
            for k in 0..<n { len = len << 8 | Int(b[start + k]) }
            start += n
        }
        guard len >= 0, start + len <= b.count else { return nil }
        return (tag, start, start + len)
    }

    static func rsaModulusBits(_ b: [UInt8]) -> Int? {
        guard let outer = tlv(b, 0), outer.tag == 0x30, let first = tlv(b, outer.start) else { return nil }
        var seq = outer
        if first.tag == 0x30 {
            // SubjectPublicKeyInfo: AlgorithmIdentifier, then BIT STRING holding RSAPublicKey.
            guard let bits = tlv(b, first.end), bits.tag == 0x03, bits.end - bits.start > 1,
                  let inner = tlv(b, bits.start + 1), inner.tag == 0x30 else { return nil }
            seq = inner
        }
        guard let n = tlv(b, seq.start), n.tag == 0x02 else { return nil }
        var s = n.start
        while s < n.end && b[s] == 0 { s += 1 }
        guard s < n.end else { return nil }
        return (n.end - s) * 8 - b[s].leadingZeroBitCount
    }
}

/// RFC 4648 §4 base64, without Foundation.
public enum Base64 {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    static let table: [UInt8] = {
        var t = [UInt8](repeating: 0xFF, count: 256)
        for (i, c) in alphabet.enumerated() { t[Int(c)] = UInt8(i) }
        return t
    }()

    public static func decode(_ s: String) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count * 3 / 4)
        var acc: UInt32 = 0, bits = 0, pad = 0
        for c in s.utf8 {
            if c == UInt8(ascii: "=") { pad += 1; continue }
            guard pad == 0 else { return nil }
            let v = table[Int(c)]
            guard v != 0xFF else { return nil }
            acc = acc << 6 | UInt32(v); bits += 6
            if bits >= 8 { bits -= 8; out.append(UInt8((acc >> UInt32(bits)) & 0xFF)) }
        }
        guard pad <= 2 else { return nil }
        return out
    }

    public static func encode(_ b: [UInt8]) -> String {
        var out: [UInt8] = []
        var i = 0
        while i + 2 < b.count {
            let n = UInt32(b[i]) << 16 | UInt32(b[i + 1]) << 8 | UInt32(b[i + 2])
            for s in [18, 12, 6, 0] { out.append(alphabet[Int((n >> UInt32(s)) & 63)]) }
            i += 3
        }
        let rest = b.count - i
        if rest > 0 {
            let n = UInt32(b[i]) << 16 | (rest == 2 ? UInt32(b[i + 1]) << 8 : 0)
            out.append(alphabet[Int(n >> 18 & 63)]); out.append(alphabet[Int(n >> 12 & 63)])
            out.append(rest == 2 ? alphabet[Int(n >> 6 & 63)] : UInt8(ascii: "=")); out.append(UInt8(ascii: "="))
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// Looks DKIM keys up for a list of selectors.
public struct DKIMKeyLookup: Sendable {
    /// Common selectors of MTAs and hosted providers, tried when the user names none.
    public static let commonSelectors = [
        "default", "dkim", "mail", "selector1", "selector2", "google", "k1", "k2", "s1", "s2",
        "sel1", "sel2", "smtp", "mx", "key1", "dkim1", "mandrill", "everlytickey1", "protonmail", "zoho",
    ]

    public struct Found: Sendable {
        public let selector: String
        public let name: DomainName
        public let status: DNSStatus
        public let record: DKIMKeyRecord?
        public let error: String?
        public let answer: DNSAnswer
    }

    public let resolver: any DNSResolver
    public init(resolver: any DNSResolver) { self.resolver = resolver }

    /// Queries every selector concurrently; returns one entry per selector, in the given order.
    public func lookup(_ domain: DomainName, selectors: [String]) async -> [Found] {
        await withTaskGroup(of: (Int, Found?).self) { group in
            for (i, sel) in selectors.enumerated() {
                group.addTask {
                    guard let name = try? DomainName(sel + "._domainkey." + domain.description) else { return (i, nil) }
                    let a = await resolver.resolve(DNSQuery(name, .txt))
                    let texts = a.rdata.compactMap { r -> String? in if case .txt(let t) = r { t.joined } else { nil } }
                    guard let text = texts.first(where: { $0.contains("p=") }) ?? texts.first else {
                        return (i, Found(selector: sel, name: name, status: a.status, record: nil, error: nil, answer: a))
                    }
                    do {
                        return (i, Found(selector: sel, name: name, status: a.status, record: try DKIMKeyRecord.parse(text), error: nil, answer: a))
                    } catch {
                        return (i, Found(selector: sel, name: name, status: a.status, record: nil, error: "\(error)", answer: a))
                    }
                }
            }
            var out: [(Int, Found)] = []
            for await (i, f) in group { if let f { out.append((i, f)) } }
            return out.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }
}
