import Foundation
import MailCore
import NIOCore
import NIOPosix
import TLSWire

/// Scans one port: accepted versions, suites per version in server order (by elimination),
/// groups (post-quantum hybrids through HelloRetryRequest), protocol features, the certificate.
public struct TLSScanner: Sendable {
    public let options: TLSScanOptions
    let group: any EventLoopGroup

    /// - Parameter group: the event loops to use; NIO's shared singleton when nil.
    public init(options: TLSScanOptions, group: (any EventLoopGroup)? = nil) {
        self.options = options
        self.group = group ?? MultiThreadedEventLoopGroup.singleton
    }

    public func scan() async -> TLSScanResult {
        let stopwatch = Stopwatch()
        var result = TLSScanResult(host: options.host, address: options.address, port: options.port,
                                   starttls: options.starttls?.rawValue)
        let deadlines = Deadlines(overall: .now() + options.overallTimeout)
        let probe = TLSHelloProbe(options: options, group: group, deadlines: deadlines)
        let ctx = ScanContext(probe: probe, limiter: ConnectionLimiter(options.perHostConcurrency), options: options)

        // Groups and the certificate need no earlier answer: they start at once, beside the
        // versions (the critical path of a scan is its longest elimination chain).
        async let groups13: [UInt16] = ctx.enumerateGroups13()
        async let groups12: [UInt16] = ctx.enumerateGroups12(suites: ctx.candidates(.tls12).filter {
            CipherSuiteTraits(name: IANATables.suiteName($0)).keyExchange == "ECDHE" })
        async let certificate: CertificateReport? = options.fetchCertificate
            ? ctx.limiter.with { await TLSCertificateFetcher(options: options, group: group, deadlines: deadlines).fetch() }
            : nil

        // Features and the fallback test depend on the versions, but nearly always on TLS 1.2:
        // asked at once at 1.2 with every candidate, kept when 1.2 is what they need.
        let speculative = options.speculativeFeatures
        async let features12: (TLSFeatures, Int?)? = speculative ? ctx.features(.tls12, suites: ctx.candidates(.tls12)) : nil
        async let fallback12: Bool?? = speculative ? .some(await ctx.fallbackSCSV(.tls12, suites: ctx.candidates(.tls12))) : nil

        // Versions and suites: every version in parallel, each by elimination.
        let perVersion = await withTaskGroup(of: (TLSProtocolVersion, SuiteEnumeration).self) { tg in
            for v in TLSProtocolVersion.scanned.reversed() { tg.addTask { (v, await ctx.enumerateSuites(v)) } }
            var out: [TLSProtocolVersion: SuiteEnumeration] = [:]
            for await (v, e) in tg { out[v] = e }
            return out
        }
        for v in TLSProtocolVersion.scanned {
            guard let e = perVersion[v] else { continue }
            var vr = VersionResult(version: v, accepted: e.untestable == nil || !e.suites.isEmpty ? !e.suites.isEmpty : nil)
            vr.suites = e.suites
            vr.serverOrder = e.serverOrder
            vr.detail = e.untestable ?? e.rejection
            result.versions.append(vr)
        }
        result.notes += perVersion.values.flatMap(\.notes)

        let outcomes = perVersion.values
        if let noTLS = outcomes.compactMap(\.noStartTLS).first {
            result.status = .noTLS
            result.statusDetail = noTLS
        } else if result.acceptedVersions.isEmpty {
            let reasons = outcomes.compactMap(\.untestable)
            if reasons.count == outcomes.count, let first = reasons.first {
                result.status = first.hasPrefix("connect") ? .unreachable : .couldNotTest
                result.statusDetail = first
            } else {
                result.status = .noTLS
                result.statusDetail = "no protocol version accepted"
            }
        }

        let (g13, g12, cert) = await (groups13, groups12, certificate)
        let (spec12, specFallback) = await (features12, fallback12)
        if !result.acceptedVersions.isEmpty {
            // Features and the fallback test need the accepted versions and suites.
            let snapshot = result
            let accepted = snapshot.acceptedVersions
            let bestLegacy = accepted.last { $0 < .tls13 }
            let fallbackVersion = accepted.count >= 2 ? accepted[accepted.count - 2] : nil
            async let features = bestLegacy == .tls12 && spec12 != nil ? spec12! : ctx.features(snapshot)
            async let fallback = fallbackVersion == .tls12 && specFallback != nil ? specFallback! : ctx.fallbackSCSV(snapshot)
            result.groups = snapshot.acceptedVersions.contains(.tls13) ? g13 : []
            result.groupsTLS12 = snapshot.acceptedVersions.contains(.tls12) ? g12 : []
            let f = await features
            result.features = f.0
            result.dhPrimeBits = f.1
            result.features.fallbackSCSV = await fallback
            result.conclude(certificate: cert, options: options, deadlines: deadlines)
        }
        result.connections = await ctx.counter.value
        result.milliseconds = stopwatch.milliseconds
        return result
    }
}

/// Suites found for one version.
struct SuiteEnumeration: Sendable {
    var suites: [UInt16] = []
    var serverOrder: Bool?
    var rejection: String?
    var untestable: String?
    var noStartTLS: String?
    var notes: [String] = []
    /// The offer had to be split: the order across the halves is not the server's.
    var split = false
    /// Suites found by one uninterrupted elimination each: in the server's order when it has one.
    var runs: [[UInt16]] = []
    var currentRun: [UInt16] = []
    /// Stopped at its pick limit; `remaining` is what was not offered yet without the picks.
    var truncated = false
    var remaining: [UInt16] = []

    func closingRun() -> SuiteEnumeration {
        var e = self
        if !e.currentRun.isEmpty { e.runs.append(e.currentRun); e.currentRun = [] }
        return e
    }
}

actor Counter {
    private(set) var value = 0
    /// Set once a connection shows the port cannot be scanned at all (nothing listens, filtered,
    /// no STARTTLS): later hellos return it at once instead of waiting for their own timeouts.
    private(set) var fatal: HelloOutcome?
    func bump() { value += 1 }
    func stop(_ o: HelloOutcome) { if fatal == nil { fatal = o } }
}

/// Shared pieces of one scan; every hello goes through the limiter.
struct ScanContext: Sendable {
    let probe: TLSHelloProbe
    let limiter: ConnectionLimiter
    let options: TLSScanOptions
    let counter = Counter()

    func send(_ hello: ClientHello, fullFlight: Bool = false) async -> HelloOutcome {
        await limiter.with {
            if let fatal = await counter.fatal { return fatal }
            await counter.bump()
            let o = await probe.send(hello, fullFlight: fullFlight)
            if debugTLS { debugPrint(hello, o) }
            switch o {
            case .couldNotTest(let why) where why.hasPrefix("connect"): await counter.stop(o)
            case .noStartTLS: await counter.stop(o)
            default: break
            }
            return o
        }
    }

    static func random() -> [UInt8] { TLSOffers.random() }
    static var classicGroups: [UInt16] { TLSOffers.classicGroups }
    func hello(_ v: TLSProtocolVersion, suites: [UInt16]) -> ClientHello { TLSOffers.hello(v, suites: suites, host: options.host) }
    func candidates(_ v: TLSProtocolVersion) -> [UInt16] { TLSOffers.candidates(v) }

    static func isFiniteFieldDH(_ s: UInt16) -> Bool {
        ["DHE", "DH"].contains(CipherSuiteTraits(name: IANATables.suiteName(s)).keyExchange)
    }

    /// The candidates cut into offers eliminated in parallel: each chain is only as long as the
    /// suites its part holds, not as long as all accepted suites. The likely suites come first in
    /// `candidates`, so dealing them round-robin spreads them over the parts. Finite-field DH
    /// suites get parts of their own: a server without DH parameters that picks one and drops
    /// the connection cannot hide the others. Versions below 1.2 are rarely accepted: one part
    /// each (plus DH) keeps the refusals cheap.
    func partition(_ v: TLSProtocolVersion) -> [[UInt16]] {
        let all = candidates(v)
        let dh = all.filter(Self.isFiniteFieldDH), other = all.filter { !Self.isFiniteFieldDH($0) }
        let (kOther, kDH) = switch v {
        case .tls13: (3, 1)
        case .tls12: (max(1, options.suitePartitions), max(1, options.suitePartitions / 2))
        default: (1, 1)
        }
        return Self.deal(other, into: kOther, maxSize: options.maxSuitesPerHello)
            + Self.deal(dh, into: kDH, maxSize: options.maxSuitesPerHello)
    }

    /// Round-robin `items` into `k` parts (more when a part would exceed `maxSize`).
    static func deal<T>(_ items: [T], into k: Int, maxSize: Int) -> [[T]] {
        guard !items.isEmpty else { return [] }
        let size = max(1, maxSize)
        let n = min(items.count, max(k, (items.count + size - 1) / size))
        var parts = [[T]](repeating: [], count: n)
        for (i, x) in items.enumerated() { parts[i % n].append(x) }
        return parts
    }

    /// The suite the server picks from `offer` at version `v`, nil when it picks none.
    func pickSuite(_ v: TLSProtocolVersion, _ offer: [UInt16]) async -> UInt16? {
        guard let sh = await send(hello(v, suites: offer)).serverHello, sh.negotiatedVersion == v,
              offer.contains(sh.cipherSuite) else { return nil }
        return sh.cipherSuite
    }

    /// RFC 5246 §7.4.1.3: the server picks one suite of those offered; remove it and ask again
    /// until it refuses. The parts of `partition` run in parallel; `rankInServerOrder` then
    /// puts what they found in the server's order.
    func enumerateSuites(_ v: TLSProtocolVersion) async -> SuiteEnumeration {
        var offers = partition(v)
        var first: [SuiteEnumeration] = []
        if v < .tls12, offers.count > 1 {
            // Rarely accepted: one offer first; a refusal of the version itself (RFC 8446 §6.2
            // protocol_version, or a ServerHello of another version) answers for every part.
            let e = await eliminate(v, offers.removeFirst())
            let versionRefused = e.suites.isEmpty && (e.rejection.map { $0.hasSuffix("protocol_version") || $0.hasPrefix("server answered with") } ?? false)
            if versionRefused || e.untestable != nil || e.noStartTLS != nil { return e }
            first = [e]
        }
        // First wave: each part's first pick. Second wave: each part without its pick (more
        // suites, or the refusal that ends it) and, beside it, the ranking of the first picks,
        // which stands when no part held a second suite (the common case once parts are small).
        let firsts = await withTaskGroup(of: (Int, SuiteEnumeration).self) { tg in
            for (i, part) in offers.enumerated() { tg.addTask { (i, await eliminate(v, part, limit: 1)) } }
            var out: [(Int, SuiteEnumeration)] = []
            for await p in tg { out.append(p) }
            return out.sorted { $0.0 < $1.0 }.map(\.1)
        }
        let firstRuns = (first + firsts).flatMap(\.runs).filter { !$0.isEmpty }
        let open = firsts.filter(\.truncated)
        let speculate = !open.isEmpty && firstRuns.count > 1 && Self.crossPairCount(firstRuns) <= options.maxPairwiseChecks
        let allCandidates = candidates(v)
        async let early = speculate ? rankInServerOrder(runs: firstRuns, candidates: allCandidates, maxPairs: options.maxPairwiseChecks) {
            await pickSuite(v, $0)
        } : nil
        let continued = await withTaskGroup(of: (Int, SuiteEnumeration).self) { tg in
            for (i, e) in open.enumerated() { tg.addTask { (i, await eliminate(v, e.remaining, seed: e.suites)) } }
            var out: [(Int, SuiteEnumeration)] = []
            for await p in tg { out.append(p) }
            return out.sorted { $0.0 < $1.0 }.map(\.1)
        }
        let speculated = await early
        let parts = first + firsts.filter { !$0.truncated } + continued
        let nothingMore = zip(open, continued).allSatisfy { $0.suites == $1.suites }
        var merged = SuiteEnumeration()
        merged.notes = parts.flatMap(\.notes)
        merged.noStartTLS = parts.compactMap(\.noStartTLS).first
        let runs = parts.flatMap(\.runs).filter { !$0.isEmpty }
        if runs.isEmpty {
            merged.untestable = parts.compactMap(\.untestable).first
            merged.rejection = parts.compactMap(\.rejection).first
            return merged
        }
        let ranked: (items: [UInt16], serverOrder: Bool?)
        if let speculated, nothingMore {
            ranked = speculated
        } else {
            ranked = await rankInServerOrder(runs: runs, candidates: allCandidates, maxPairs: options.maxPairwiseChecks) {
                await pickSuite(v, $0)
            }
        }
        merged.suites = ranked.items
        merged.serverOrder = ranked.serverOrder
        if ranked.serverOrder == false { merged.notes.append("\(v): the server follows the client's suite order") }
        return merged
    }

    /// Puts items the server accepts one by one (each run already eliminated, so in server order
    /// if the server imposes one) in the server's preference order, with few sequential hellos:
    /// - all items offered forward and reversed: the client's first both times means the server
    ///   follows the client (candidate order is reported); the same pick both times means the
    ///   server imposes its order, and that pick is its first;
    /// - every pair not already ordered by a run offered alone: a consistent (transitive) set of
    ///   answers gives the server's order. When the pairs are few they go out in the same
    ///   parallel wave as the two hellos above (wasted when the server follows the client, one
    ///   round trip saved when it does not); otherwise in a second wave, or, when too many,
    /// - elimination over the items, one hello after the other (RFC 5246 §7.4.1.3).
    func rankInServerOrder<T: Hashable & Sendable>(runs: [[T]], candidates: [T], maxPairs: Int,
                                                   pick: @escaping @Sendable ([T]) async -> T?) async -> (items: [T], serverOrder: Bool?) {
        var position: [T: Int] = [:]
        for (i, c) in candidates.enumerated() where position[c] == nil { position[c] = i }
        var seen = Set<T>()
        let cleanRuns = runs.map { $0.filter { seen.insert($0).inserted } }.filter { !$0.isEmpty }
        let byCandidate = cleanRuns.flatMap { $0 }.sorted { position[$0, default: .max] < position[$1, default: .max] }
        guard byCandidate.count > 1 else { return (byCandidate, nil) }

        func crossPairs(_ rs: [[T]]) -> [[T]] {
            var pairs: [[T]] = []
            for i in rs.indices { for j in rs.indices where j > i { for x in rs[i] { for y in rs[j] {
                pairs.append(position[x, default: .max] <= position[y, default: .max] ? [x, y] : [y, x])
            } } } }
            return pairs
        }
        /// Ranks by wins: run order plus the answered pairs; nil unless transitive and complete.
        func order(_ rs: [[T]], _ pairs: [[T]], _ winners: [T?]) -> [T]? {
            var wins: [T: Int] = [:]
            for run in rs { for (i, x) in run.enumerated() { wins[x, default: 0] += run.count - 1 - i } }
            for (p, w) in zip(pairs, winners) {
                guard let w, p.contains(w) else { return nil }
                wins[w, default: 0] += 1
            }
            let items = rs.flatMap { $0 }
            // A tournament is transitive exactly when all scores differ.
            guard Set(items.map { wins[$0, default: 0] }).count == items.count else { return nil }
            return items.sorted { wins[$0, default: 0] > wins[$1, default: 0] }
        }

        let allPairs = crossPairs(cleanRuns)
        let together = allPairs.count <= maxPairs
        let answers = await Self.wave([byCandidate, byCandidate.reversed()] + (together ? allPairs : []), pick: pick)
        guard let a = answers[0], let b = answers[1] else { return (byCandidate, nil) }
        if a == byCandidate.first && b == byCandidate.last { return (byCandidate, false) }
        guard a == b else {
            // Neither pattern (a server that mixes both): plain elimination, as found.
            let found = await Self.chain(byCandidate, pick: pick)
            return (found + byCandidate.filter { !found.contains($0) }, b == found.first)
        }
        if together, let ranked = order(cleanRuns, allPairs, Array(answers.dropFirst(2))), ranked.first == a {
            return (ranked, true)
        }
        let rest = cleanRuns.map { $0.filter { $0 != a } }.filter { !$0.isEmpty }
        let restItems = byCandidate.filter { $0 != a }
        let restPairs = crossPairs(rest)
        if !together && restItems.count > 1 && restPairs.count <= maxPairs,
           let ranked = order(rest, restPairs, await Self.wave(restPairs, pick: pick)) {
            return ([a] + ranked, true)
        }
        let found = restItems.count > 1 ? await Self.chain(restItems, pick: pick) : restItems
        return ([a] + found + restItems.filter { !found.contains($0) }, true)
    }

    static func crossPairCount<T>(_ runs: [[T]]) -> Int {
        let sizes = runs.map(\.count), total = sizes.reduce(0, +)
        return (total * total - sizes.map { $0 * $0 }.reduce(0, +)) / 2
    }

    /// The picks for all `offers`, asked in parallel (under the per-host cap).
    static func wave<T: Hashable & Sendable>(_ offers: [[T]], pick: @escaping @Sendable ([T]) async -> T?) async -> [T?] {
        await withTaskGroup(of: (Int, T?).self) { tg in
            for (i, o) in offers.enumerated() { tg.addTask { (i, await pick(o)) } }
            var out = [T?](repeating: nil, count: offers.count)
            for await (i, w) in tg { out[i] = w }
            return out
        }
    }

    /// Offer all, remove the pick, repeat until nothing is picked.
    static func chain<T: Hashable & Sendable>(_ offer: [T], pick: @Sendable ([T]) async -> T?) async -> [T] {
        var remaining = offer, out: [T] = []
        while !remaining.isEmpty, let c = await pick(remaining), let i = remaining.firstIndex(of: c) {
            out.append(c)
            remaining.remove(at: i)
        }
        return out
    }

    /// Elimination over `offer`. A clean refusal (handshake_failure, protocol_version,
    /// insufficient_security: RFC 8446 §6.2) ends it. Some servers (Dovecot) refuse by closing
    /// without an alert, although RFC 8446 §6.2 / RFC 5246 §7.2.2 ask for one; a silent close
    /// after an offer that holds only finite-field DH suites, or none, is taken as a refusal too.
    /// Mixed offers can hide acceptable suites behind a DH suite the server picks and cannot
    /// serve (OpenSSL without DH parameters drops the connection): they are split by family.
    /// Another alert, or a broken record, may mean one offered suite breaks the server: the rest
    /// is split in halves, each eliminated on its own, down to single suites.
    ///
    /// `limit`: stop after that many picks (`truncated`, the rest in `remaining`); `seed`: picks
    /// of an earlier call on the same chain, continued here.
    func eliminate(_ v: TLSProtocolVersion, _ offer: [UInt16], depth: Int = 0, limit: Int = .max,
                   seed: [UInt16] = []) async -> SuiteEnumeration {
        var e = SuiteEnumeration()
        e.suites = seed
        e.currentRun = seed
        var remaining = offer
        while !remaining.isEmpty {
            let outcome = await send(hello(v, suites: remaining))
            var unclean: String?
            switch outcome {
            case .flight(let f):
                guard let sh = f.serverHello else { unclean = "no ServerHello"; break }
                let negotiated = sh.negotiatedVersion
                if negotiated != v {
                    if e.suites.isEmpty { e.rejection = "server answered with \(negotiated)" }
                    return e.closingRun()
                }
                guard let idx = remaining.firstIndex(of: sh.cipherSuite) else {
                    e.notes.append("\(v): server chose \(IANATables.suiteName(sh.cipherSuite)), which was not offered (RFC 5246 §7.4.1.3)")
                    return e.closingRun()
                }
                e.suites.append(sh.cipherSuite)
                e.currentRun.append(sh.cipherSuite)
                remaining.remove(at: idx)
                if e.suites.count - seed.count >= limit && !remaining.isEmpty {
                    e.truncated = true
                    e.remaining = remaining
                    return e.closingRun()
                }
                continue
            case .alert(let a):
                if [TLSAlert.handshakeFailure, TLSAlert.protocolVersion, TLSAlert.insufficientSecurity].contains(a.alertDescription) {
                    if e.suites.isEmpty { e.rejection = a.description }
                    return e.closingRun()
                }
                unclean = a.description
            case .closed:
                let dh = remaining.filter(Self.isFiniteFieldDH).count
                if dh == 0 || dh == remaining.count {
                    if e.suites.isEmpty { e.rejection = "connection closed without an alert" }
                    return e.closingRun()
                }
                unclean = "connection closed"
            case .malformed(let why):
                unclean = why
            case .couldNotTest(let why):
                if e.suites.isEmpty { e.untestable = why } else { e.notes.append("\(v): enumeration cut short: \(why)") }
                return e.closingRun()
            case .noStartTLS(let why):
                e.noStartTLS = why
                return e.closingRun()
            }
            guard remaining.count > 1, depth < 16 else {
                if e.suites.isEmpty { e.rejection = unclean }
                return e.closingRun()
            }
            let dh = remaining.filter(Self.isFiniteFieldDH), other = remaining.filter { !Self.isFiniteFieldDH($0) }
            let parts: [[UInt16]]
            if !dh.isEmpty && !other.isEmpty {
                parts = [other, dh]
            } else if !e.suites.isEmpty || depth == 0 {
                let mid = remaining.count / 2
                parts = [Array(remaining[..<mid]), Array(remaining[mid...])]
            } else {
                if e.suites.isEmpty { e.rejection = unclean }
                return e.closingRun()
            }
            let results = await withTaskGroup(of: (Int, SuiteEnumeration).self) { tg in
                for (i, part) in parts.enumerated() { tg.addTask { (i, await eliminate(v, part, depth: depth + 1)) } }
                var out: [(Int, SuiteEnumeration)] = []
                for await r in tg { out.append(r) }
                return out.sorted { $0.0 < $1.0 }.map(\.1)
            }
            e = e.closingRun()
            e.suites += results.flatMap(\.suites)
            e.runs += results.flatMap(\.runs)
            e.notes += results.flatMap(\.notes)
            e.split = true
            if e.suites.isEmpty {
                e.rejection = results.compactMap(\.rejection).first ?? unclean
                e.untestable = results.compactMap(\.untestable).first
                e.noStartTLS = results.compactMap(\.noStartTLS).first
            }
            return e
        }
        return e.closingRun()
    }
}

/// `MXRAY_TLS_DEBUG=1` prints every hello and its outcome to stderr (for diagnosing odd servers).
let debugTLS = ProcessInfo.processInfo.environment["MXRAY_TLS_DEBUG"] != nil
func debugPrint(_ h: ClientHello, _ o: HelloOutcome) {
    let what: String
    switch o {
    case .flight(let f): what = "SH \(f.serverHello.map { "\($0.negotiatedVersion) \(IANATables.suiteName($0.cipherSuite))" } ?? "-")"
    default: what = "\(o)"
    }
    FileHandle.standardError.write(Data("hello \(h.legacyVersion) n=\(h.cipherSuites.count) -> \(what)\n".utf8))
}

extension TLSScanResult {
    /// How a scan that found TLS ends, full or quick: the certificate (or a note that its
    /// handshake failed) and, when the overall deadline passed, "could not test".
    mutating func conclude(certificate: CertificateReport?, options: TLSScanOptions, deadlines: Deadlines) {
        switch certificate {
        case .some(let report): self.certificate = report
        case .none: if options.fetchCertificate { notes.append("certificate: full handshake failed") }
        }
        if deadlines.exceeded {
            status = .couldNotTest
            statusDetail = "scan deadline of \(options.overallTimeout.nanoseconds / 1_000_000_000) s passed"
        }
    }
}
