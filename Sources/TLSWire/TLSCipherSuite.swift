/// Namespace of the generated IANA tables (`Tables/IANATables.swift`).
public enum IANATables {
    private static let suiteIndex: [UInt16: (String, Bool)] = {
        var d: [UInt16: (String, Bool)] = [:]
        for (code, name, rec, _) in cipherSuites { d[code] = (name, rec) }
        return d
    }()

    private static let groupIndex: [UInt16: (String, Bool)] = {
        var d: [UInt16: (String, Bool)] = [:]
        for (code, name, _, obsolete, _) in groups { d[code] = (name, obsolete) }
        return d
    }()

    /// The IANA name of a cipher suite, or its hex code when unassigned.
    public static func suiteName(_ code: UInt16) -> String {
        suiteIndex[code]?.0 ?? hex4(code)
    }

    public static func isRegisteredSuite(_ code: UInt16) -> Bool { suiteIndex[code] != nil }

    /// The IANA name of a supported group, or its hex code.
    public static func groupName(_ code: UInt16) -> String {
        groupIndex[code]?.0 ?? hex4(code)
    }

    public static func isObsoleteGroup(_ code: UInt16) -> Bool { groupIndex[code]?.1 ?? false }
}

/// What a cipher suite's IANA name says about it (RFC 5246 App. A.5, RFC 8446 §B.4).
public struct CipherSuiteTraits: Sendable, Hashable, Codable {
    /// Key exchange: ECDHE, DHE, RSA, ECDH, DH, PSK, ECDHE_PSK, SRP, … or "TLS13" (any group).
    public let keyExchange: String
    /// Authentication: RSA, ECDSA, DSS, anon, PSK, or "TLS13" (from the certificate).
    public let authentication: String
    /// Bulk cipher, e.g. AES_128_GCM, CHACHA20_POLY1305, AES_256_CBC, 3DES_EDE_CBC, RC4_128, NULL.
    public let cipher: String
    /// MAC or PRF hash: SHA384, SHA256, SHA, MD5, or the AEAD hash.
    public let hash: String
    public let isExport: Bool

    public var isTLS13: Bool { keyExchange == "TLS13" }
    public var isAEAD: Bool { ["GCM", "CCM", "POLY1305"].contains { cipher.contains($0) } }
    public var isForwardSecret: Bool { isTLS13 || keyExchange.hasPrefix("ECDHE") || keyExchange.hasPrefix("DHE") }

    /// Parses `TLS_<KX>[_<AUTH>]_WITH_<CIPHER>_<HASH>` or `TLS_<AEAD>_<HASH>` (TLS 1.3).
    public init(name: String) {
        var n = name
        if n.hasPrefix("TLS_") { n.removeFirst(4) }
        isExport = n.contains("EXPORT")
        let words = n.split(separator: "_").map(String.init)
        if let w = words.firstIndex(of: "WITH") {
            let kxAuth = words[..<w].filter { $0 != "EXPORT" && $0 != "EXPORT1024" }.joined(separator: "_")
            let rest = words[(w + 1)...].joined(separator: "_")
            (keyExchange, authentication) = Self.splitKX(kxAuth)
            (cipher, hash) = Self.splitCipher(rest)
        } else {
            keyExchange = "TLS13"
            authentication = "TLS13"
            (cipher, hash) = Self.splitCipher(n)
        }
    }

    static func splitKX(_ s: String) -> (String, String) {
        let parts = s.split(separator: "_").map(String.init)
        switch parts.count {
        case 0: return ("?", "?")
        case 1: return parts[0] == "RSA" ? ("RSA", "RSA") : (parts[0], parts[0] == "PSK" ? "PSK" : "?")
        default:
            if parts.last == "PSK" { return (parts.joined(separator: "_"), "PSK") }
            if parts[0] == "SRP" { return ("SRP", parts.count > 2 ? parts[2] : "SRP") }
            return (parts[0], parts[1])
        }
    }

    static func splitCipher(_ s: String) -> (String, String) {
        let parts = s.split(separator: "_").map(String.init)
        guard let last = parts.last else { return ("?", "?") }
        if ["SHA", "SHA256", "SHA384", "MD5", "SM3", "IMIT", "OMAC"].contains(last) {
            return (parts.dropLast().joined(separator: "_"), last)
        }
        // RFC 6655 CCM suites end with the cipher; their PRF is SHA-256.
        return (parts.joined(separator: "_"), "SHA256")
    }
}

extension IANATables {
    /// Every registered suite a ClientHello for `version` can offer (SCSVs excluded), in
    /// registry order. TLS 1.3 suites (0x13xx) only for 1.3, never for earlier versions.
    public static func offerableSuites(for version: TLSProtocolVersion) -> [UInt16] {
        cipherSuites.map(\.0).filter { code in
            code != TLSSCSV.emptyRenegotiationInfo && code != TLSSCSV.fallback && code != 0x0000
                && ((code >> 8 == 0x13) == (version == .tls13))
        }
    }

    /// The traits of every registered suite, parsed once: scanners ask for them per offer, and
    /// parsing the name each time was most of a check's CPU time.
    private static let traitsIndex: [UInt16: CipherSuiteTraits] = {
        var d: [UInt16: CipherSuiteTraits] = [:]
        for (code, name, _, _) in cipherSuites { d[code] = CipherSuiteTraits(name: name) }
        return d
    }()

    /// `CipherSuiteTraits(name: suiteName(code))`, from a table built once.
    public static func traits(_ code: UInt16) -> CipherSuiteTraits {
        traitsIndex[code] ?? CipherSuiteTraits(name: suiteName(code))
    }

    /// Every registered group except the binary curves' arbitrary-curve markers.
    public static var allGroups: [UInt16] { groups.map(\.0) }
}
