import TLSWire

/// The four levels of the NCSC-NL TLS guidelines ("Goed", "Voldoende", "Uit te faseren",
/// "Onvoldoende"). Ordered: a port's result is the worst of its parts.
public enum TLSGrade: Int, Sendable, Codable, Comparable, CustomStringConvertible {
    case good = 0, sufficient, phaseOut, insufficient

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
    public var description: String {
        switch self {
        case .good: return "good"
        case .sufficient: return "sufficient"
        case .phaseOut: return "phase-out"
        case .insufficient: return "insufficient"
        }
    }
}

/// The NCSC-NL classification as versioned data: change the tables and bump `version` together.
/// Source: NCSC-NL "IT Security Guidelines for Transport Layer Security (TLS)" v2.1 (2021) with
/// its 2025 update on hybrid post-quantum key exchange; this is mxray's encoding of it. Anything
/// the guidelines do not list is insufficient, as they say.
public enum NCSCGuidelines {
    public static let version = "ncsc-nl-tls-2.1+2025-pq/mxray-1"

    public static let versions: [UInt16: TLSGrade] = [
        0x0304: .good, 0x0303: .sufficient, 0x0302: .phaseOut, 0x0301: .phaseOut, 0x0300: .insufficient,
    ]

    /// Key exchange of a suite (TLS 1.3 suites: the group decides).
    public static let keyExchange: [String: TLSGrade] = [
        "TLS13": .good, "ECDHE": .good, "DHE": .sufficient, "RSA": .phaseOut,
    ]

    /// Bulk encryption.
    public static let ciphers: [String: TLSGrade] = [
        "AES_256_GCM": .good, "AES_128_GCM": .good, "CHACHA20_POLY1305": .good,
        "AES_256_CCM": .sufficient, "AES_128_CCM": .sufficient,
        "AES_256_CBC": .sufficient, "AES_128_CBC": .sufficient,
        "3DES_EDE_CBC": .phaseOut,
    ]

    /// MAC hash of CBC suites (AEAD suites are graded by the cipher).
    public static let macs: [String: TLSGrade] = ["SHA384": .good, "SHA256": .good, "SHA": .sufficient]

    public static let groups: [UInt16: TLSGrade] = [
        NamedGroup.x25519MLKEM768: .good, NamedGroup.secP256r1MLKEM768: .good, NamedGroup.secP384r1MLKEM1024: .good,
        NamedGroup.secp384r1: .good, NamedGroup.secp256r1: .good, NamedGroup.x25519: .good, NamedGroup.x448: .good,
        NamedGroup.secp521r1: .sufficient,
        0x0102: .sufficient, 0x0101: .sufficient, 0x0103: .sufficient, 0x0104: .sufficient, 0x0100: .phaseOut,
        NamedGroup.x25519Kyber768Draft00: .phaseOut,
    ]

    public static func grade(version v: TLSProtocolVersion) -> TLSGrade { versions[v.rawValue] ?? .insufficient }

    /// The worst of the suite's key exchange, authentication, cipher and MAC, with the reason.
    public static func grade(suite code: UInt16) -> (TLSGrade, String) {
        let t = IANATables.traits(code)
        if t.isExport { return (.insufficient, "export-grade") }
        if t.authentication == "anon" || t.authentication == "NULL" { return (.insufficient, "no authentication") }
        if !t.isTLS13 && !["RSA", "ECDSA", "DSS"].contains(t.authentication) {
            return (.insufficient, "authentication \(t.authentication) not in the guidelines")
        }
        var parts: [(TLSGrade, String)] = []
        parts.append((keyExchange[t.keyExchange] ?? .insufficient, "key exchange \(t.keyExchange)"))
        parts.append((ciphers[t.cipher] ?? .insufficient, "cipher \(t.cipher)"))
        if !t.isAEAD { parts.append((macs[t.hash] ?? .insufficient, "MAC \(t.hash)")) }
        let worst = parts.max { $0.0 < $1.0 }!
        return worst.0 == .good ? (.good, "AEAD with forward secrecy") : worst
    }

    public static func grade(group g: UInt16) -> TLSGrade { groups[g] ?? .insufficient }

    /// Certificate keys: RSA ≥3072 good, 2048–3071 sufficient, less insufficient; ECDSA P-256/384
    /// good; Ed25519 good.
    public static func grade(key type: String, bits: Int) -> TLSGrade {
        if type == "RSA" { return bits >= 3072 ? .good : bits >= 2048 ? .sufficient : .insufficient }
        if type.hasPrefix("ECDSA") || type == "Ed25519" { return bits >= 256 ? .good : .insufficient }
        return .insufficient
    }

    /// Certificate signature hash: SHA-2 good, SHA-1 and MD5 insufficient.
    public static func grade(signature alg: String) -> TLSGrade {
        let a = alg.lowercased()
        if a.contains("sha1") || a.contains("md5") { return .insufficient }
        if a.contains("sha256") || a.contains("sha384") || a.contains("sha512") || a.contains("ed25519") { return .good }
        return .sufficient
    }

    /// DHE prime size: ≥3072 sufficient, 2048 phase-out, less insufficient.
    public static func grade(dhBits bits: Int) -> TLSGrade {
        bits >= 3072 ? .sufficient : bits >= 2048 ? .phaseOut : .insufficient
    }
}
