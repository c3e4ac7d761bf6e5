import TLSWire

/// The hellos both the full scan (`TLSScanner`) and the quick assessment (`TLSQuickAssessment`)
/// send: one definition, so both ask servers the same way and their answers compare.
enum TLSOffers {
    /// Classic (EC)DHE groups offered in `supported_groups` (RFC 8446 §4.2.7, RFC 7919).
    static let classicGroups: [UInt16] = [
        NamedGroup.x25519, NamedGroup.secp256r1, NamedGroup.secp384r1, NamedGroup.secp521r1, NamedGroup.x448,
        0x001A, 0x001B, 0x001C, 0x0016, 0x0100, 0x0101, 0x0102, 0x0103, 0x0104,
    ]

    static func random() -> [UInt8] { (0..<32).map { _ in UInt8.random(in: 0...255) } }

    /// A hello for version `v`: RFC 8446 §4.1.2 keeps `legacy_version` at TLS 1.2 for 1.3 and puts
    /// 1.3 in `supported_versions` (§4.2.1); SSLv3 hellos carry no extensions.
    static func hello(_ v: TLSProtocolVersion, suites: [UInt16], host: String) -> ClientHello {
        var h = ClientHello(legacyVersion: v == .tls13 ? .tls12 : v, cipherSuites: suites, random: random())
        h.serverName = TLSCertificateFetcher.sni(host)
        if v == .ssl3 {
            h.includeExtensions = false
        } else {
            h.groups = classicGroups
        }
        if v == .tls13 {
            h.supportedVersions = [.tls13]
            h.keyShareGroups = [NamedGroup.x25519]
        }
        return h
    }

    /// Suites a hello for `v` may offer, the likely ones first (a long list is cut at
    /// `maxSuitesPerHello`: servers choke on big hellos, so the first chunk must hold them).
    /// The anonymous suites come right after the common ones: OpenSSL's `ALL` accepts them, so a
    /// server configured that way takes them, and the first chunk (one elimination chain, in the
    /// server's order) then holds every suite such a server accepts.
    static func candidates(_ v: TLSProtocolVersion) -> [UInt16] { candidatesByVersion[v] ?? rank(v) }

    private static let candidatesByVersion: [TLSProtocolVersion: [UInt16]] = Dictionary(
        uniqueKeysWithValues: TLSProtocolVersion.scanned.map { ($0, rank($0)) })

    private static func rank(_ v: TLSProtocolVersion) -> [UInt16] {
        let all = IANATables.offerableSuites(for: v)
        func rank(_ s: UInt16) -> Int {
            let t = IANATables.traits(s)
            if ["ECDHE", "DHE", "RSA", "TLS13"].contains(t.keyExchange) && ["RSA", "ECDSA", "TLS13"].contains(t.authentication) { return 0 }
            return t.authentication == "anon" ? 1 : 2
        }
        return all.filter { rank($0) == 0 } + all.filter { rank($0) == 1 } + all.filter { rank($0) == 2 }
    }
}
