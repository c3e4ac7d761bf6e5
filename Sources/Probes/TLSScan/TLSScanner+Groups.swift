import TLSWire

extension ScanContext {
    /// Every group worth asking about in TLS 1.3: classic curves, RFC 7919 groups, and the
    /// post-quantum hybrids (X25519MLKEM768 0x11EC, SecP256r1MLKEM768 0x11EB,
    /// SecP384r1MLKEM1024 0x11ED, X25519Kyber768Draft00 0x6399) and pure ML-KEM.
    static let groups13: [UInt16] = [
        NamedGroup.x25519MLKEM768, NamedGroup.secP256r1MLKEM768, NamedGroup.secP384r1MLKEM1024,
        NamedGroup.x25519Kyber768Draft00, NamedGroup.mlkem768, NamedGroup.mlkem1024, NamedGroup.mlkem512,
    ] + classicGroups + [0x0020, 0x0021, 0x001F]

    /// RFC 8446 §4.1.4 / §4.2.8: a hello whose key_share is empty makes a server that supports
    /// one of the offered groups answer HelloRetryRequest with `selected_group`. That HRR proves
    /// support without any key material, so no ML-KEM code is needed. Remove it, ask again.
    func enumerateGroups13() async -> [UInt16] {
        var remaining = Self.groups13
        var found: [UInt16] = []
        while !remaining.isEmpty {
            var h = hello(.tls13, suites: IANATables.offerableSuites(for: .tls13))
            h.groups = remaining
            h.keyShareGroups = []
            guard let sh = await send(h).serverHello, sh.negotiatedVersion == .tls13,
                  let g = sh.keyShareGroup, let i = remaining.firstIndex(of: g) else { break }
            found.append(g)
            remaining.remove(at: i)
        }
        return found
    }

    /// TLS ≤1.2: the ECDHE group is in the ServerKeyExchange (RFC 8422 §5.4). Offer ECDHE
    /// suites only and eliminate over the classic curves.
    func enumerateGroups12(suites: [UInt16]) async -> [UInt16] {
        let ecdhe = suites.filter { CipherSuiteTraits(name: IANATables.suiteName($0)).keyExchange == "ECDHE" }
        guard !ecdhe.isEmpty else { return [] }
        var remaining = Self.classicGroups.filter { !NamedGroup.isFFDHE($0) }
        var found: [UInt16] = []
        while !remaining.isEmpty {
            var h = hello(.tls12, suites: ecdhe)
            h.groups = remaining
            guard case .flight(let f) = await send(h, fullFlight: true), let g = f.keyExchangeGroup,
                  let i = remaining.firstIndex(of: g) else { break }
            found.append(g)
            remaining.remove(at: i)
        }
        return found
    }

    /// One hello at the best TLS ≤1.2 version with every extension and DEFLATE offered, read up
    /// to ServerHelloDone: renegotiation_info, EMS, status_request, session_ticket, session id,
    /// compression. TLS 1.3-only servers have these built in or forbidden (RFC 8446 §4.1.2, §D).
    func features(_ r: TLSScanResult) async -> (TLSFeatures, Int?) {
        var f = TLSFeatures()
        let legacy = r.versions.filter { $0.accepted == true && $0.version < .tls13 }
        guard let best = legacy.last else {
            if r.acceptedVersions.contains(.tls13) {
                f.extendedMasterSecret = true  // RFC 8446 §7.1: the key schedule binds the transcript
                f.compression = false          // RFC 8446 §4.1.2: only null compression
            }
            return (f, nil)
        }
        var h = hello(best.version, suites: best.suites)
        h.compressionMethods = [1, 0]
        guard case .flight(let flight) = await send(h, fullFlight: true), let sh = flight.serverHello else { return (f, nil) }
        f.secureRenegotiation = sh.secureRenegotiation
        f.compression = sh.compressionMethod != 0
        f.extendedMasterSecret = sh.has(TLSExtensionType.extendedMasterSecret)
        f.ocspStapling = sh.has(TLSExtensionType.statusRequest) || flight.ocspStapled
        f.sessionTickets = sh.has(TLSExtensionType.sessionTicket)
        f.sessionIDs = !sh.sessionID.isEmpty
        var dhBits = flight.dhPrimeBits
        if dhBits == nil, let dhe = best.suites.first(where: { CipherSuiteTraits(name: IANATables.suiteName($0)).keyExchange == "DHE" }) {
            if case .flight(let g) = await send(hello(best.version, suites: [dhe]), fullFlight: true) { dhBits = g.dhPrimeBits }
        }
        return (f, dhBits)
    }

    /// RFC 7507 §3: a hello below the server's best version carrying TLS_FALLBACK_SCSV must be
    /// refused with inappropriate_fallback. nil when only one version is accepted.
    func fallbackSCSV(_ r: TLSScanResult) async -> Bool? {
        let accepted = r.versions.filter { $0.accepted == true }
        guard accepted.count >= 2 else { return nil }
        let lower = accepted[accepted.count - 2]
        guard lower.version < .tls13, !lower.suites.isEmpty else { return nil }
        var h = hello(lower.version, suites: lower.suites + [TLSSCSV.fallback])
        h.supportedVersions = []
        switch await send(h) {
        case .alert(let a): return a.alertDescription == TLSAlert.inappropriateFallback
        case .flight(let f): return f.serverHello == nil
        default: return nil
        }
    }
}
