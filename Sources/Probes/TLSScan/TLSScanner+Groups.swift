import TLSWire

extension ScanContext {
    /// Every group worth asking about in TLS 1.3: classic curves, RFC 7919 groups, and the
    /// post-quantum hybrids (X25519MLKEM768 0x11EC, SecP256r1MLKEM768 0x11EB,
    /// SecP384r1MLKEM1024 0x11ED, X25519Kyber768Draft00 0x6399) and pure ML-KEM.
    static let groups13: [UInt16] = [
        NamedGroup.x25519MLKEM768, NamedGroup.secP256r1MLKEM768, NamedGroup.secP384r1MLKEM1024,
        NamedGroup.x25519Kyber768Draft00, NamedGroup.mlkem768, NamedGroup.mlkem1024, NamedGroup.mlkem512,
    ] + classicGroups + [0x0020, 0x0021, 0x001F]

    /// TLS ≤1.2: the ECDHE group is in the ServerKeyExchange (RFC 8422 §5.4). Offer ECDHE
    /// suites only and eliminate over the classic curves.
    func enumerateGroups12(suites: [UInt16]) async -> [UInt16] {
        let ecdhe = suites.filter { IANATables.traits($0).keyExchange == "ECDHE" }
        guard !ecdhe.isEmpty else { return [] }
        let offerSuites = Array(ecdhe.prefix(max(1, options.maxSuitesPerHello)))
        let curves = Self.classicGroups.filter { !NamedGroup.isFFDHE($0) }
        return await enumerateGroups(curves, dealt: curves, parts: 2) { offer, priority in
            var h = hello(.tls12, suites: offerSuites)
            h.groups = offer
            guard case .flight(let f) = await send(h, phase: "groups TLS 1.2", priority: priority, fullFlight: true), let g = f.keyExchangeGroup,
                  offer.contains(g) else { return nil }
            return g
        }
    }

    /// Elimination over `dealt` (the candidates, likeliest first) dealt into `parts` parallel
    /// chains. The result is the set of supported groups, in `candidates`' order: the issue asks
    /// for the set (as testssl.sh reports it), and ranking it in the server's order cost more
    /// hellos than finding it.
    func enumerateGroups(_ candidates: [UInt16], dealt: [UInt16], parts: Int,
                         pick: @escaping @Sendable ([UInt16], Int) async -> UInt16?) async -> [UInt16] {
        let offers = Self.deal(dealt, into: parts, maxSize: dealt.count)
        let found = await withTaskGroup(of: [UInt16].self) { tg in
            for part in offers {
                tg.addTask {
                    // The first offer of each part waits its turn; the next links go first.
                    guard let first = await pick(part, 1) else { return [] }
                    return [first] + (await Self.chain(part.filter { $0 != first }) { await pick($0, 0) })
                }
            }
            var out = Set<UInt16>()
            for await r in tg { out.formUnion(r) }
            return out
        }
        return candidates.filter(found.contains)
    }

    /// One hello at the best TLS ≤1.2 version with every extension and DEFLATE offered, read up
    /// to ServerHelloDone: renegotiation_info, EMS, status_request, session_ticket, compression;
    /// one without the ticket extension for the session id. (The DHE prime comes from the suite
    /// elimination, which reads every pick's flight.) TLS 1.3-only servers have these
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

    /// Features from one hello at `version` offering `suites`. The scan starts it for TLS 1.2
    /// before the versions are known, with every candidate, and keeps it when 1.2 is the best
    /// version below 1.3.
    func features(_ version: TLSProtocolVersion, suites: [UInt16]) async -> (TLSFeatures, Int?) {
        // At 1.2 the suite hellos have shown them already (`FeatureTap`), nearly always.
        if version == .tls12, let main = await tap.main, let sh = main.serverHello {
            let id = sh.sessionID.isEmpty ? await tap.noTicket : sh
            if let id { return Self.features(main, sessionIDFrom: id) }
        }
        var h = hello(version, suites: Array(suites.prefix(max(1, options.maxSuitesPerHello))))
        h.compressionMethods = [1, 0]
        let main = await send(h, phase: "features", priority: 2, fullFlight: true)
        guard case .flight(let flight) = main, let sh = flight.serverHello else { return (TLSFeatures(), nil) }
        // RFC 5077 §3.4: a server that will issue a ticket may send an empty session id, so an
        // empty one is asked about again in a hello without the ticket extension.
        var idFlight = main
        if sh.sessionID.isEmpty {
            var noTicket = hello(version, suites: h.cipherSuites)
            noTicket.sessionTicket = false
            idFlight = await send(noTicket, phase: "features", priority: 2)
        }
        return Self.features(flight, sessionIDFrom: idFlight.serverHello ?? sh)
    }

    /// The features `flight` shows (a hello offering every feature extension and DEFLATE),
    /// session ids from `id` (the answer to a hello without session_ticket, or `flight`'s own).
    static func features(_ flight: ServerFlight, sessionIDFrom id: ServerHello) -> (TLSFeatures, Int?) {
        var f = TLSFeatures()
        guard let sh = flight.serverHello else { return (f, nil) }
        f.secureRenegotiation = sh.secureRenegotiation
        f.compression = sh.compressionMethod != 0
        f.extendedMasterSecret = sh.has(TLSExtensionType.extendedMasterSecret)
        f.ocspStapling = sh.has(TLSExtensionType.statusRequest) || flight.ocspStapled
        f.sessionTickets = sh.has(TLSExtensionType.sessionTicket)
        f.sessionIDs = !id.sessionID.isEmpty
        return (f, flight.dhPrimeBits)
    }

    /// `TLSResumptionProbe`: a full TLS 1.2 handshake, then the ticket and the session id it
    /// left offered on fresh connections. The connection for the second hello is prepared during
    /// the full handshake (when the cap leaves room for both), so the attempt costs one round
    /// trip after it.
    func resumption() async -> (ticket: Bool?, sessionID: Bool?) {
        let r = TLSResumptionProbe(options: options, deadlines: probe.deadlines)
        let early = await pool.capacity >= 2
        async let spare: TLSPrimedPool.Handover? = early ? pool.take(priority: 2) : nil
        let capture = await withConnection(phase: "resumption", priority: 2) { await r.fullHandshake(on: $0) }
        let second = await spare
        let ticketHello = capture.flatMap { r.resumingHello($0, withTicket: true) }
        let idHello = capture.flatMap { r.resumingHello($0, withTicket: false) }
        @Sendable func attempt(_ hello: (ClientHello, [UInt8])?, on h: TLSPrimedPool.Handover?) async -> Bool? {
            guard let (hello, id) = hello else {
                if let h { await release(h, priority: 2) }
                return nil
            }
            let o = if let h { await send(hello, on: h, phase: "resumption", priority: 2) } else { await send(hello, phase: "resumption", priority: 2) }
            return TLSResumptionProbe.resumed(o, id: id)
        }
        // The spare goes to the first attempt that has something to offer.
        async let byTicket = attempt(ticketHello, on: ticketHello != nil ? second : nil)
        async let byID = attempt(idHello, on: ticketHello == nil ? second : nil)
        return (await byTicket, await byID)
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
        switch await send(h, phase: "fallback", priority: 2) {
        case .alert(let a): return a.alertDescription == TLSAlert.inappropriateFallback
        case .flight(let f): return f.serverHello == nil
        default: return nil
        }
    }
}
