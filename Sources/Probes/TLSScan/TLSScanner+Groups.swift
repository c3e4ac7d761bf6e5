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
    /// support without any key material, so no ML-KEM code is needed. Remove it, ask again:
    /// in six parallel parts, then ranked in the server's order (`rankInServerOrder`).
    func enumerateGroups13() async -> [UInt16] {
        // Dealt likeliest first (the usual curves, then RFC 7919 groups), so each part holds
        // about one group a common server accepts; the order reported keeps `groups13`'s.
        let likely = [NamedGroup.x25519, NamedGroup.secp256r1, NamedGroup.secp384r1, NamedGroup.secp521r1,
                      NamedGroup.x448, 0x0100, 0x0101, 0x0102, 0x0103, 0x0104]
        let dealt = likely + Self.groups13.filter { !likely.contains($0) }
        return await enumerateGroups(Self.groups13, dealt: dealt, parts: 6) { offer in
            var h = hello(.tls13, suites: IANATables.offerableSuites(for: .tls13))
            h.groups = offer
            h.keyShareGroups = []
            guard let sh = await send(h).serverHello, sh.negotiatedVersion == .tls13,
                  let g = sh.keyShareGroup, offer.contains(g) else { return nil }
            return g
        }
    }

    /// TLS ≤1.2: the ECDHE group is in the ServerKeyExchange (RFC 8422 §5.4). Offer ECDHE
    /// suites only and eliminate over the classic curves.
    func enumerateGroups12(suites: [UInt16]) async -> [UInt16] {
        let ecdhe = suites.filter { CipherSuiteTraits(name: IANATables.suiteName($0)).keyExchange == "ECDHE" }
        guard !ecdhe.isEmpty else { return [] }
        let offerSuites = Array(ecdhe.prefix(max(1, options.maxSuitesPerHello)))
        let curves = Self.classicGroups.filter { !NamedGroup.isFFDHE($0) }
        return await enumerateGroups(curves, dealt: curves, parts: 5) { offer in
            var h = hello(.tls12, suites: offerSuites)
            h.groups = offer
            guard case .flight(let f) = await send(h, fullFlight: true), let g = f.keyExchangeGroup,
                  offer.contains(g) else { return nil }
            return g
        }
    }

    /// Elimination over `dealt` (the candidates, likeliest first) dealt into `parts` parallel
    /// chains, then ranked; a server without its own order gets `candidates`' order.
    func enumerateGroups(_ candidates: [UInt16], dealt: [UInt16], parts: Int,
                         pick: @escaping @Sendable ([UInt16]) async -> UInt16?) async -> [UInt16] {
        // As for suites (`enumerateSuites`): first picks, then the rest of each part beside a
        // ranking of the first picks, which stands when no part held a second group.
        let offers = Self.deal(dealt, into: parts, maxSize: dealt.count)
        let firsts = await Self.wave(offers, pick: pick)
        let firstRuns = firsts.compactMap { $0 }.map { [$0] }
        let maxPairs = options.maxPairwiseChecks + 17
        let speculate = firstRuns.count > 1 && Self.crossPairCount(firstRuns) <= maxPairs
        async let early = speculate ? rankInServerOrder(runs: firstRuns, candidates: candidates, maxPairs: maxPairs, pick: pick) : nil
        let runs = await withTaskGroup(of: (Int, [UInt16]).self) { tg in
            for (i, (part, first)) in zip(offers, firsts).enumerated() {
                guard let first else { continue }
                tg.addTask { (i, [first] + (await Self.chain(part.filter { $0 != first }, pick: pick))) }
            }
            var out: [(Int, [UInt16])] = []
            for await r in tg { out.append(r) }
            return out.sorted { $0.0 < $1.0 }.map(\.1)
        }
        let speculated = await early
        if let speculated, runs.allSatisfy({ $0.count == 1 }) { return speculated.items }
        return await rankInServerOrder(runs: runs, candidates: candidates, maxPairs: maxPairs, pick: pick).items
    }

    /// One hello at the best TLS ≤1.2 version with every extension and DEFLATE offered, read up
    /// to ServerHelloDone: renegotiation_info, EMS, status_request, session_ticket, compression;
    /// one without the ticket extension for the session id. TLS 1.3-only servers have these
    /// built in or forbidden (RFC 8446 §4.1.2, §D).
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
        return await features(best.version, suites: best.suites)
    }

    /// Features from one hello at `version` offering `suites` (and, for the DH prime, one more
    /// offering its finite-field DH suites). The scan starts it for TLS 1.2 before the versions
    /// are known, with every candidate, and keeps it when 1.2 is the best version below 1.3.
    func features(_ version: TLSProtocolVersion, suites: [UInt16]) async -> (TLSFeatures, Int?) {
        var f = TLSFeatures()
        var h = hello(version, suites: Array(suites.prefix(max(1, options.maxSuitesPerHello))))
        h.compressionMethods = [1, 0]
        // The DH prime needs a DHE suite picked: asked at once, beside the main hello.
        let dhe = suites.filter { CipherSuiteTraits(name: IANATables.suiteName($0)).keyExchange == "DHE" }
        let dhHello = dhe.isEmpty ? nil : hello(version, suites: Array(dhe.prefix(max(1, options.maxSuitesPerHello))))
        async let dhOutcome = sendIfAny(dhHello, fullFlight: true)
        // RFC 5077 §3.4: a server that will issue a ticket may send an empty session id, so the
        // session-id cache is asked about in a hello without the ticket extension, beside.
        var noTicket = hello(version, suites: h.cipherSuites)
        noTicket.sessionTicket = false
        async let idOutcome = send(noTicket)
        let main = await send(h, fullFlight: true)
        let (dhFlight, idFlight) = await (dhOutcome, idOutcome)
        guard case .flight(let flight) = main, let sh = flight.serverHello else { return (f, nil) }
        f.secureRenegotiation = sh.secureRenegotiation
        f.compression = sh.compressionMethod != 0
        f.extendedMasterSecret = sh.has(TLSExtensionType.extendedMasterSecret)
        f.ocspStapling = sh.has(TLSExtensionType.statusRequest) || flight.ocspStapled
        f.sessionTickets = sh.has(TLSExtensionType.sessionTicket)
        f.sessionIDs = !(idFlight.serverHello ?? sh).sessionID.isEmpty
        var dhBits = flight.dhPrimeBits
        if dhBits == nil, case .flight(let g) = dhFlight { dhBits = g.dhPrimeBits }
        return (f, dhBits)
    }

    func sendIfAny(_ h: ClientHello?, fullFlight: Bool) async -> HelloOutcome? {
        guard let h else { return nil }
        return await send(h, fullFlight: fullFlight)
    }

    /// RFC 7507 §3: a hello below the server's best version carrying TLS_FALLBACK_SCSV must be
    /// refused with inappropriate_fallback. nil when only one version is accepted.
    func fallbackSCSV(_ r: TLSScanResult) async -> Bool? {
        let accepted = r.versions.filter { $0.accepted == true }
        guard accepted.count >= 2 else { return nil }
        let lower = accepted[accepted.count - 2]
        guard lower.version < .tls13, !lower.suites.isEmpty else { return nil }
        return await fallbackSCSV(lower.version, suites: lower.suites)
    }

    /// The RFC 7507 test at `version`, offering `suites` and the SCSV.
    func fallbackSCSV(_ version: TLSProtocolVersion, suites: [UInt16]) async -> Bool? {
        var h = hello(version, suites: Array(suites.prefix(max(1, options.maxSuitesPerHello - 1))) + [TLSSCSV.fallback])
        h.supportedVersions = []
        switch await send(h) {
        case .alert(let a): return a.alertDescription == TLSAlert.inappropriateFallback
        case .flight(let f): return f.serverHello == nil
        default: return nil
        }
    }
}
