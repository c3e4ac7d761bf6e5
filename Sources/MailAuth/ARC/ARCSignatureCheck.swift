import Crypto
import DNSWire
import MailCore
import _CryptoExtras

/// Checks one ARC signature (seal or message signature) against its DKIM key: the parts RFC 8617
/// §5.1.2 / §5.2 share with DKIM (RFC 6376 §3.6 key records, §6.1.3 verification).
struct ARCSignatureCheck: Sendable {
    let resolver: any DNSResolver

    struct Outcome: Sendable {
        var result: DKIMResult
        var reason: String?
        var keySize: Int?
    }

    /// RFC 8617 §4.1.2/§4.1.3 reuse DKIM's tag syntax; tag names and values are case-sensitive
    /// (RFC 6376 §3.2).
    static func tags(_ f: DKIMVerifier.Field) -> Result<TagList, ARCFailure> {
        let text = f.value.replacingOccurrencesOfCRLF()
        // RFC 6376 §3.2: tag-list = tag-spec *( ";" tag-spec ) [ ";" ]: an empty tag-spec (";;") is invalid.
        var lastWasSemicolon = false
        for c in text.unicodeScalars where c != " " && c != "\t" {
            if c == ";" && lastWasSemicolon { return .failure(ARCFailure("\(f.name.trimmingSpaces()) has an empty tag (\";;\") (RFC 6376 §3.2)")) }
            lastWasSemicolon = c == ";"
        }
        do { return .success(try TagList.parse(text, lowercaseNames: false)) } catch {
            return .failure(ARCFailure("\(f.name.trimmingSpaces()) is not a valid tag list (\(error)) (RFC 6376 §3.2)"))
        }
    }

    /// `d=`, `s=`, `a=`, `b=` and the optional `t=` common to AS and AMS.
    struct Common: Sendable {
        var domain: DomainName
        var selector: String
        var signature: [UInt8]
    }

    static func common(_ t: TagList, what: String) -> Result<Common, ARCFailure> {
        for name in ["a", "b", "d", "s"] {
            guard let v = t[name] else { return .failure(ARCFailure("\(what) has no \(name)= tag (RFC 8617 §4.1)")) }
            if v.isEmpty { return .failure(ARCFailure("\(what) has an empty \(name)= tag (RFC 8617 §4.1)")) }
        }
        // RFC 8617 §4.1.3 / RFC 6376 §3.3: rsa-sha256 (RFC 8463 adds ed25519-sha256); sha1 is not allowed (RFC 8301 §3.1).
        guard t["a"] == "rsa-sha256" || t["a"] == "ed25519-sha256" else {
            return .failure(ARCFailure("\(what) uses a=\(t["a"]!), not rsa-sha256 (RFC 8617 §4.1, RFC 8301 §3.1)"))
        }
        if let ts = t["t"], ts.isEmpty || ts.count > 12 || !ts.allSatisfy({ $0.isASCII && $0.isNumber }) {
            return .failure(ARCFailure("\(what) t=\(ts.prefix(20)) is not a timestamp (RFC 6376 §3.5)"))
        }
        guard let b = Base64.decode(t["b"]!.filter { !" \t\r\n".contains($0) }), !b.isEmpty else {
            return .failure(ARCFailure("\(what) b= is not base64 (RFC 6376 §3.5)"))
        }
        guard let d = try? DomainName(t["d"]!), t["d"]!.contains("."),
              (try? DomainName(t["s"]! + "._domainkey." + d.description)) != nil else {
            return .failure(ARCFailure("\(what) d=\(t["d"]!.prefix(60)) or s= is not a domain name (RFC 6376 §3.5)"))
        }
        return .success(Common(domain: d, selector: t["s"]!, signature: b))
    }

    /// Fetches `<s>._domainkey.<d>` and verifies `signature` over SHA-256 of `data`.
    func verify(_ c: Common, algorithm: String, data: [UInt8]) async -> Outcome {
        guard let keyName = try? DomainName(c.selector + "._domainkey." + c.domain.description) else {
            return Outcome(result: .permerror, reason: "s=\(c.selector) is not a valid selector")
        }
        let a = await resolver.resolve(DNSQuery(keyName, .txt))
        if a.status.isTemporaryFailure { return Outcome(result: .temperror, reason: "key lookup \(keyName.presentation) failed: \(a.status.rawValue)") }
        let texts = a.rdata.compactMap { r -> String? in if case .txt(let t) = r { t.joined } else { nil } }
        guard let text = texts.first else { return Outcome(result: .permerror, reason: "no key at \(keyName.presentation) (RFC 6376 §6.1.2)") }
        let key: DKIMKeyRecord
        do { key = try DKIMKeyRecord.parse(text) } catch {
            return Outcome(result: .permerror, reason: "the key at \(keyName.presentation) does not parse: \(error)")
        }
        guard !key.isRevoked else { return Outcome(result: .permerror, reason: "the key at \(keyName.presentation) is revoked (empty p=)", keySize: nil) }
        let hash = SHA256.hash(data: data)
        switch (algorithm, key.keyType) {
        case ("rsa-sha256", .rsa?):
            guard let pk = try? _RSA.Signing.PublicKey(unsafeDERRepresentation: key.publicKey) else {
                return Outcome(result: .permerror, reason: "the RSA key at \(keyName.presentation) does not load", keySize: key.keySize)
            }
            // RFC 8301 §3.2: verifiers must not accept signatures with keys shorter than 1024 bits.
            if let bits = key.keySize, bits < 1024 {
                return Outcome(result: .permerror, reason: "the key at \(keyName.presentation) has \(bits) bits; at least 1024 are required (RFC 8301 §3.2)", keySize: bits)
            }
            let ok = pk.isValidSignature(_RSA.Signing.RSASignature(rawRepresentation: c.signature), for: hash, padding: .insecurePKCS1v1_5)
            return Outcome(result: ok ? .pass : .fail, reason: ok ? nil : "the signature does not verify with the key at \(keyName.presentation)", keySize: key.keySize)
        case ("ed25519-sha256", .ed25519?):
            guard let pk = try? Curve25519.Signing.PublicKey(rawRepresentation: key.publicKey) else {
                return Outcome(result: .permerror, reason: "the Ed25519 key at \(keyName.presentation) does not load")
            }
            let ok = pk.isValidSignature(c.signature, for: Array(hash))
            return Outcome(result: ok ? .pass : .fail, reason: ok ? nil : "the signature does not verify with the key at \(keyName.presentation)", keySize: 256)
        default:
            return Outcome(result: .permerror, reason: "the key type at \(keyName.presentation) does not match a=\(algorithm)", keySize: key.keySize)
        }
    }
}

/// A reason an ARC chain fails, with the rule.
struct ARCFailure: Error, Sendable {
    let message: String
    init(_ m: String) { message = m }
}
