import MailCore
import NIOCore
import NIOPosix
import TLSWire

/// A quick TLS assessment of one port for `mxray check`: what the grade and the findings need,
/// in one wave of parallel hellos for a well-configured server instead of the full scan's
/// elimination chains (each link of which repeats connect, greeting, EHLO and STARTTLS).
///
/// Wave 1 (all at once): per version one hello offering every suite (acceptance, the server's
/// choice, and for TLS ≤1.2 the protocol features of the whole flight); for TLS 1.2 and 1.3 one
/// hello offering only the suites the ranking calls weak; TLS 1.3 groups through
/// HelloRetryRequest (RFC 8446 §4.1.4): the post-quantum hybrids, and the groups ranked below
/// good; TLS 1.2 curves ranked below good with DHE suites (RFC 8422 §5.4, RFC 5246 §7.4.3: the
/// ServerKeyExchange names the curve or carries the DH prime); the fallback SCSV at TLS 1.2
/// (RFC 7507 §3); the certificate through a full handshake.
///
/// Wave 2 only when wave 1 found something to narrow down: weak suites at older versions that
/// are accepted, the other weak rank once one weak suite was chosen (so "insufficient" and
/// "phase-out" are each known), groups ranked worse than the one found, and offers that an
/// unclean refusal (closed without an alert) may have hidden, split into DH and the rest.
///
/// The result is a `TLSScanResult` graded by the same rules as a full scan; its suite lists
/// hold the suites the server chose from each offer, not every suite it accepts.
public struct TLSQuickAssessment: Sendable {
    /// How weak a suite, a group, a version is: 0 best … 3 worst (the diagnosis passes its
    /// grading levels, so the offers split where the grade would change).
    public struct Ranking: Sendable {
        public var suite: @Sendable (UInt16) -> Int
        public var group: @Sendable (UInt16) -> Int
        public init(suite: @escaping @Sendable (UInt16) -> Int, group: @escaping @Sendable (UInt16) -> Int) {
            self.suite = suite
            self.group = group
        }
    }

    public let options: TLSScanOptions
    public let ranking: Ranking
    let group: any EventLoopGroup

    public init(options: TLSScanOptions, ranking: Ranking, group: (any EventLoopGroup)? = nil) {
        self.options = options
        self.ranking = ranking
        self.group = group ?? MultiThreadedEventLoopGroup.singleton
    }

    /// Classic groups offered in every hello; the hybrids are asked apart.
    static var classicGroups: [UInt16] { TLSOffers.classicGroups }
    static let hybrids: [UInt16] = [NamedGroup.x25519MLKEM768, NamedGroup.secP256r1MLKEM768, NamedGroup.secP384r1MLKEM1024]
    static let otherGroups13: [UInt16] = [NamedGroup.x25519Kyber768Draft00, NamedGroup.mlkem768, NamedGroup.mlkem1024,
                                          NamedGroup.mlkem512, 0x0020, 0x0021, 0x001F]

    /// One offer and what came back.
    struct Offer: Sendable {
        enum Kind: Sendable, Hashable { case all, weak, dhe, groups13, groups12, fallback }
        var version: TLSProtocolVersion
        var kind: Kind
        var hello: ClientHello
        var fullFlight: Bool
    }

    public func scan() async -> TLSScanResult {
        let stopwatch = Stopwatch()
        var result = TLSScanResult(host: options.host, address: options.address, port: options.port, starttls: options.starttls?.rawValue)
        let deadlines = Deadlines(overall: .now() + options.overallTimeout)
        let probe = TLSHelloProbe(options: options, group: group, deadlines: deadlines)
        let limiter = ConnectionLimiter(options.perHostConcurrency)

        async let certificate: CertificateReport? = options.fetchCertificate
            ? Self.certificate(TLSCertificateFetcher(options: options, group: group, deadlines: deadlines), probe: probe, limiter: limiter)
            : nil

        // Wave 1.
        var offers: [Offer] = TLSProtocolVersion.scanned.map { allOffer($0) }
        // TLS 1.3 is graded good, so any lesser suite there counts; TLS 1.2 is sufficient already.
        offers += weakOffers(.tls12) + weakOffers(.tls13, ranks: [1, 2, 3])
        // Groups one rank at a time, so the worst supported one is known without a second wave.
        offers += [groups13Offer(Self.hybrids)].compactMap { $0 }
        offers += (1...3).compactMap { groups13Offer(groups13(rank: $0)) }
        // TLS 1.2 is graded sufficient: a curve ranked sufficient there changes nothing.
        offers += (2...3).compactMap { groups12Offer(rank: $0) }
        offers += [dheOffer(.tls12), fallbackOffer(.tls12)].compactMap { $0 }
        var answers = await send(offers, probe: probe, limiter: limiter)
        var connections = offers.count

        // Wave 2: only what wave 1 leaves open.
        let accepted = Self.acceptedVersions(answers)
        var second: [Offer] = []
        // Older versions only when accepted (a well-kept server refuses them), one rank a hello.
        for v in [TLSProtocolVersion.ssl3, .tls10, .tls11] where accepted.contains(v) {
            second += weakOffers(v, ranks: [2]) + weakOffers(v, ranks: [3])
        }
        // Where the server chose a suite of one weak rank, ask for the other ranks apart, so
        // each is known ("insufficient" and "phase-out" are separate findings).
        var weakAsked: [TLSProtocolVersion: Set<Int>] = [:], weakFound: [TLSProtocolVersion: Set<Int>] = [:]
        for (o, a) in answers where o.kind == .weak {
            weakAsked[o.version, default: []].formUnion(o.hello.cipherSuites.map(ranking.suite))
            if let sh = a.serverHello, sh.negotiatedVersion == o.version { weakFound[o.version, default: []].insert(ranking.suite(sh.cipherSuite)) }
        }
        for (v, found) in weakFound.sorted(by: { $0.key < $1.key }) {
            for r in weakAsked[v, default: []].subtracting(found).sorted() { second += weakOffers(v, ranks: [r]) }
        }
        let legacy = [TLSProtocolVersion.tls11, .tls10].filter { accepted.contains($0) }
        if !accepted.contains(.tls12), let best = legacy.first, let o = dheOffer(best) { second.append(o) }
        // RFC 7507 §3: the SCSV goes with the second-best version; wave 1 guessed TLS 1.2.
        let ordered = TLSProtocolVersion.scanned.filter { accepted.contains($0) }
        if ordered.count >= 2, ordered[ordered.count - 2] != .tls12, ordered[ordered.count - 2] < .tls13,
           let o = fallbackOffer(ordered[ordered.count - 2]) { second.append(o) }
        // An unclean refusal of a mixed offer may hide suites behind a DH one the server cannot
        // serve (OpenSSL without DH parameters drops the connection): ask DH and the rest apart.
        for (o, a) in answers where (o.kind == .all || o.kind == .weak) && Self.unclean(a) {
            second += split(o)
        }
        if !second.isEmpty, !deadlines.exceeded {
            answers += await send(second, probe: probe, limiter: limiter)
            connections += second.count
        }

        fill(&result, answers: answers, accepted: Self.acceptedVersions(answers))
        let cert = await certificate
        if !result.acceptedVersions.isEmpty { result.conclude(certificate: cert, options: options, deadlines: deadlines) }
        result.notes.append("quick assessment: \(connections) hellos; suites listed are those the server chose from each offer, PSK/SRP suites not offered (mxray tls lists every accepted suite)")
        result.connections = connections + (options.fetchCertificate ? 1 : 0)
        result.milliseconds = stopwatch.milliseconds
        return result
    }

    // MARK: - Offers

    static func random() -> [UInt8] { TLSOffers.random() }

    func hello(_ v: TLSProtocolVersion, suites: [UInt16]) -> ClientHello {
        TLSOffers.hello(v, suites: Array(suites.prefix(max(1, options.maxSuitesPerHello))), host: options.host)
    }

    func candidates(_ v: TLSProtocolVersion) -> [UInt16] { TLSOffers.candidates(v) }

    func allOffer(_ v: TLSProtocolVersion) -> Offer {
        var h = hello(v, suites: candidates(v))
        // RFC 3749: DEFLATE offered to see whether the server would compress (CRIME).
        if v < .tls13 && v > .ssl3 { h.compressionMethods = [1, 0] }
        return Offer(version: v, kind: .all, hello: h, fullFlight: v < .tls13)
    }

    /// The suites ranked phase-out or worse (or only `ranks`), common ones first, in hellos of
    /// at most `maxSuitesPerHello` suites.
    ///
    /// Suites a server can only choose with material this hello does not carry are left to the
    /// full scan: PSK (RFC 4279 §2: a pre-shared key the server must hold for us, which a
    /// public MX does not), SRP (RFC 5054 §2.8.1: the client's SRP extension), ECCPWD (RFC 8492:
    /// a password), KRB5 (RFC 2712: no maintained TLS library has it). That keeps the TLS 1.2
    /// offer at two hellos.
    func weakOffers(_ v: TLSProtocolVersion, ranks: Set<Int> = [2, 3]) -> [Offer] {
        let suites = candidates(v).filter { ranks.contains(ranking.suite($0)) && !Self.needsClientMaterial($0) }
        let size = max(1, options.maxSuitesPerHello)
        return stride(from: 0, to: suites.count, by: size).map {
            Offer(version: v, kind: .weak, hello: hello(v, suites: Array(suites[$0..<min(suites.count, $0 + size)])), fullFlight: v < .tls13)
        }
    }

    static func needsClientMaterial(_ suite: UInt16) -> Bool {
        let name = IANATables.suiteName(suite)
        return ["_PSK_", "_SRP_", "_KRB5_", "_ECCPWD_"].contains { name.contains($0) }
    }

    func dheOffer(_ v: TLSProtocolVersion) -> Offer? {
        let suites = candidates(v).filter { IANATables.traits($0).keyExchange == "DHE" }
        guard !suites.isEmpty else { return nil }
        return Offer(version: v, kind: .dhe, hello: hello(v, suites: suites), fullFlight: true)
    }

    func groups13(rank: Int) -> [UInt16] {
        (Self.classicGroups + Self.otherGroups13).filter { ranking.group($0) == rank }
    }

    /// RFC 8446 §4.2.8: an empty key_share makes a server that supports an offered group answer
    /// HelloRetryRequest naming it; no key material needed.
    func groups13Offer(_ groups: [UInt16]) -> Offer? {
        guard !groups.isEmpty else { return nil }
        var h = hello(.tls13, suites: candidates(.tls13))
        h.groups = groups
        h.keyShareGroups = []
        return Offer(version: .tls13, kind: .groups13, hello: h, fullFlight: false)
    }

    func groups12Offer(rank: Int) -> Offer? {
        let curves = Self.classicGroups.filter { !NamedGroup.isFFDHE($0) && ranking.group($0) == rank }
        let ecdhe = candidates(.tls12).filter { IANATables.traits($0).keyExchange == "ECDHE" }
        guard !curves.isEmpty, !ecdhe.isEmpty else { return nil }
        var h = hello(.tls12, suites: ecdhe)
        h.groups = curves
        return Offer(version: .tls12, kind: .groups12, hello: h, fullFlight: true)
    }

    func fallbackOffer(_ v: TLSProtocolVersion) -> Offer? {
        guard v > .ssl3, v < .tls13 else { return nil }
        var h = hello(v, suites: candidates(v).prefix(max(1, options.maxSuitesPerHello - 1)) + [TLSSCSV.fallback])
        h.supportedVersions = []
        return Offer(version: v, kind: .fallback, hello: h, fullFlight: false)
    }

    static func unclean(_ a: HelloOutcome) -> Bool {
        switch a {
        case .closed, .malformed: return true
        case .alert(let al): return ![TLSAlert.handshakeFailure, TLSAlert.protocolVersion, TLSAlert.insufficientSecurity].contains(al.alertDescription)
        default: return false
        }
    }

    func split(_ o: Offer) -> [Offer] {
        let isDH: (UInt16) -> Bool = { ["DHE", "DH"].contains(IANATables.traits($0).keyExchange) }
        let dh = o.hello.cipherSuites.filter(isDH), other = o.hello.cipherSuites.filter { !isDH($0) && $0 != TLSSCSV.fallback }
        guard !dh.isEmpty, !other.isEmpty else { return [] }
        return [dh, other].map { suites in
            var h = o.hello
            h.cipherSuites = suites
            h.random = Self.random()
            return Offer(version: o.version, kind: o.kind, hello: h, fullFlight: o.fullFlight)
        }
    }

    /// Every offer at once (up to the per-host cap), answers in offer order.
    func send(_ offers: [Offer], probe: TLSHelloProbe, limiter: ConnectionLimiter) async -> [(Offer, HelloOutcome)] {
        await withTaskGroup(of: (Int, HelloOutcome).self) { tg in
            for (i, o) in offers.enumerated() {
                tg.addTask { (i, await Self.send(o, probe: probe, limiter: limiter)) }
            }
            var out = [HelloOutcome?](repeating: nil, count: offers.count)
            for await (i, a) in tg { out[i] = a }
            return offers.indices.map { (offers[$0], out[$0] ?? .couldNotTest("no answer")) }
        }
    }

    /// The certificate's full handshake under the cap (`underServerLimit`).
    static func certificate(_ fetcher: TLSCertificateFetcher, probe: TLSHelloProbe, limiter: ConnectionLimiter) async -> CertificateReport? {
        await underServerLimit(limiter) { () async -> (CertificateReport?, Bool) in
            let prepared = await probe.openAndPrepare()
            if case .failure(.couldNotTest(let why)) = prepared, ServerLimit.isThrottle(why) { return (nil, true) }
            if case .success = prepared { await limiter.markServed() }
            return (await fetcher.fetch(on: prepared), false)
        }
    }

    /// One offer under the cap (`underServerLimit`).
    static func send(_ o: Offer, probe: TLSHelloProbe, limiter: ConnectionLimiter) async -> HelloOutcome {
        await underServerLimit(limiter) { () async -> (HelloOutcome, Bool) in
            let a = await probe.send(o.hello, fullFlight: o.fullFlight)
            switch a {
            case .couldNotTest(let why): return (a, ServerLimit.isThrottle(why))
            case .noStartTLS: return (a, false)
            default:
                await limiter.markServed()
                return (a, false)
            }
        }
    }

    /// Runs `attempt` under the cap; while its answer is the server's connection limit
    /// (`attempt` says so), lowers the cap and asks again after a pause, as the full scan's pool
    /// does, within the budget (`ServerLimit`).
    static func underServerLimit<T: Sendable>(_ limiter: ConnectionLimiter,
                                              _ attempt: @escaping @Sendable () async -> (T, Bool)) async -> T {
        while true {
            let (r, throttled) = await limiter.with(attempt)
            guard throttled, let n = await limiter.throttled() else { return r }
            try? await Task.sleep(for: ServerLimit.pause(attempt: n))
        }
    }

    // MARK: - Result

    func fill(_ r: inout TLSScanResult, answers: [(Offer, HelloOutcome)], accepted: Set<TLSProtocolVersion>) {
        var suites: [TLSProtocolVersion: [UInt16]] = [:]
        var groups13: [UInt16] = [], groups12: [UInt16] = []
        var accepted = accepted
        for (o, a) in answers {
            guard let sh = a.serverHello else { continue }
            switch o.kind {
            case .all, .weak, .dhe:
                guard sh.negotiatedVersion == o.version, o.hello.cipherSuites.contains(sh.cipherSuite) else { continue }
                accepted.insert(o.version)
                if !suites[o.version, default: []].contains(sh.cipherSuite) { suites[o.version, default: []].append(sh.cipherSuite) }
                if case .flight(let f) = a, let g = f.keyExchangeGroup, o.version < .tls13, !groups12.contains(g) { groups12.append(g) }
                if o.version == .tls13, let g = sh.keyShareGroup, !groups13.contains(g) { groups13.append(g) }
                if case .flight(let f) = a, r.dhPrimeBits == nil, let bits = f.dhPrimeBits { r.dhPrimeBits = bits }
            case .groups13:
                if sh.negotiatedVersion == .tls13, let g = sh.keyShareGroup, o.hello.groups.contains(g), !groups13.contains(g) { groups13.append(g) }
            case .groups12:
                if case .flight(let f) = a, let g = f.keyExchangeGroup, !groups12.contains(g) { groups12.append(g) }
            case .fallback:
                break
            }
        }
        for v in TLSProtocolVersion.scanned {
            let mine = answers.filter { ($0.0.kind == .all || $0.0.kind == .weak) && $0.0.version == v }
            var vr: VersionResult
            if accepted.contains(v) {
                vr = VersionResult(version: v, accepted: true)
                vr.suites = suites[v] ?? []
            } else if let why = mine.compactMap({ Self.untestable($0.1) }).first, mine.allSatisfy({ Self.untestable($0.1) != nil }) {
                vr = VersionResult(version: v, accepted: nil)
                vr.detail = why
            } else {
                vr = VersionResult(version: v, accepted: false)
                vr.detail = mine.compactMap { Self.refusal($0.1) }.first
            }
            r.versions.append(vr)
        }
        r.groups = r.acceptedVersions.contains(.tls13) ? groups13 : []
        r.groupsTLS12 = r.acceptedVersions.contains(.tls12) ? groups12 : []

        // Features from the all-suites hello at the best version below TLS 1.3 (RFC 5746, 3749, 7627, 6066, 5077).
        let bestLegacy = TLSProtocolVersion.scanned.filter { $0 < .tls13 && accepted.contains($0) }.last
        if let v = bestLegacy, let (_, a) = answers.first(where: { $0.0.kind == .all && $0.0.version == v }),
           case .flight(let f) = a, let sh = f.serverHello, sh.negotiatedVersion == v {
            r.features.secureRenegotiation = sh.secureRenegotiation
            r.features.compression = sh.compressionMethod != 0
            r.features.extendedMasterSecret = sh.has(TLSExtensionType.extendedMasterSecret)
            r.features.ocspStapling = sh.has(TLSExtensionType.statusRequest) || f.ocspStapled
            r.features.sessionTickets = sh.has(TLSExtensionType.sessionTicket)
            r.features.sessionIDs = !sh.sessionID.isEmpty
        } else if bestLegacy == nil, accepted.contains(.tls13) {
            r.features.extendedMasterSecret = true  // RFC 8446 §7.1: the key schedule binds the transcript
            r.features.compression = false          // RFC 8446 §4.1.2: only null compression
        }
        let ordered = TLSProtocolVersion.scanned.filter { accepted.contains($0) }
        if ordered.count >= 2, ordered[ordered.count - 2] < .tls13,
           let (_, a) = answers.last(where: { $0.0.kind == .fallback && $0.0.version == ordered[ordered.count - 2] }) {
            switch a {
            case .alert(let al): r.features.fallbackSCSV = al.alertDescription == TLSAlert.inappropriateFallback
            case .flight(let f): r.features.fallbackSCSV = f.serverHello == nil
            default: break
            }
        }

        let all = answers.map(\.1)
        if let noTLS = all.compactMap({ a -> String? in if case .noStartTLS(let w) = a { return w }; return nil }).first {
            r.status = .noTLS
            r.statusDetail = noTLS
        } else if r.acceptedVersions.isEmpty {
            let reasons = r.versions.compactMap { $0.accepted == nil ? $0.detail : nil }
            if reasons.count == r.versions.count, let first = reasons.first {
                r.status = first.hasPrefix("connect") ? .unreachable : .couldNotTest
                r.statusDetail = first
            } else if let first = reasons.first {
                // Some versions refused, others never answered: "no TLS" would be a guess.
                r.status = .couldNotTest
                r.statusDetail = first
            } else {
                r.status = .noTLS
                r.statusDetail = "no protocol version accepted"
            }
        }
        // As in the full scan: an offer that got no answer (a busy or throttling server) leaves
        // its part unknown, so nothing may be reported missing.
        let unanswered = answers.filter { $0.0.kind != .fallback && Self.untestable($0.1) != nil }
        if r.status == .completed, let (o, a) = unanswered.first {
            r.status = .couldNotTest
            r.statusDetail = "\(unanswered.count) of \(answers.count) hellos got no answer (\(o.version) \(o.kind): \(Self.untestable(a) ?? "")); "
                + "the server is busy or throttling, so the versions, suites and groups found are incomplete"
        }
    }

    /// Versions some suite offer was answered at, with a suite that was offered.
    static func acceptedVersions(_ answers: [(Offer, HelloOutcome)]) -> Set<TLSProtocolVersion> {
        var out = Set<TLSProtocolVersion>()
        for (o, a) in answers where o.kind == .all || o.kind == .weak || o.kind == .dhe {
            if let sh = a.serverHello, sh.negotiatedVersion == o.version, o.hello.cipherSuites.contains(sh.cipherSuite) { out.insert(o.version) }
        }
        return out
    }

    static func untestable(_ a: HelloOutcome) -> String? {
        if case .couldNotTest(let why) = a { return why }
        return nil
    }

    static func refusal(_ a: HelloOutcome) -> String? {
        switch a {
        case .alert(let al): return al.description
        case .closed: return "connection closed"
        case .malformed(let why): return why
        case .flight(let f): return f.serverHello.map { "server answered with \($0.negotiatedVersion)" }
        default: return nil
        }
    }
}
