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
        let deadlines = Deadlines(overall: .now() + options.overallTimeout)
        let probe = TLSHelloProbe(options: options, group: group, deadlines: deadlines)
        // Every step ends by the overall deadline; the pool's watchdog, a second later, is the
        // guarantee that a scan ends even if something waits on the pool that never answers.
        let watchdog = ContinuousClock.now + .nanoseconds(options.overallTimeout.nanoseconds) + .seconds(1)
        let (scanned, pooled) = await TLSPrimedPool.run(capacity: options.perHostConcurrency, deadline: watchdog, prepare: { pool in
            await probe.openAndPrepare(onConnect: { await pool.register($0) })
        }) { pool in
            let ctx = ScanContext(probe: probe, pool: pool, options: options)
            return (await scan(ctx, deadlines: deadlines), await (pool.stats, pool.capacity))
        }
        var result = scanned
        let (stats, cap) = pooled
        if stats.throttled > 0 {
            result.notes.append("the server answered \(stats.throttled) connection\(stats.throttled == 1 ? "" : "s") with its connection limit "
                + "(RFC 5321 §3.8 421, or BYE/-ERR); the scan went on with at most \(cap) at a time")
        }
        if debugTLS || debugPhases {
            FileHandle.standardError.write(Data(("hellos by phase: " + result.notes.filter { $0.hasPrefix("phase ") }.joined(separator: ", ")
                + "; primed \(stats.primed), unused \(stats.unused), stale \(stats.stale), throttled \(stats.throttled)\n").utf8))
        }
        result.notes.removeAll { $0.hasPrefix("phase ") }
        result.milliseconds = stopwatch.milliseconds
        return result
    }

    private func scan(_ ctx: ScanContext, deadlines: Deadlines) async -> TLSScanResult {
        var result = TLSScanResult(host: options.host, address: options.address, port: options.port,
                                   starttls: options.starttls?.rawValue)

        // Groups and the certificate need no earlier answer: they start at once, beside the
        // versions (the critical path of a scan is its longest elimination chain). TLS 1.3
        // suites and groups share their hellos.
        async let tls13 = ctx.enumerateTLS13()
        async let groups12: [UInt16] = ctx.enumerateGroups12(suites: ctx.candidates(.tls12).filter {
            IANATables.traits($0).keyExchange == "ECDHE" })
        async let certificate: CertificateReport? = options.fetchCertificate
            ? ctx.withConnection(phase: "certificate", priority: 2) { await TLSCertificateFetcher(options: options, group: group, deadlines: deadlines).fetch(on: $0) }
            : nil

        // The fallback test depends on the versions, but nearly always on TLS 1.2: asked at once
        // at 1.2 with every candidate, kept when 1.2 is what it needs.
        async let resumption: (ticket: Bool?, sessionID: Bool?) = options.testResumption ? ctx.resumption() : (nil, nil)
        let speculative = options.speculativeFeatures
        async let fallback12: Bool?? = speculative ? .some(await ctx.fallbackSCSV(.tls12, suites: ctx.candidates(.tls12))) : nil

        // Versions and suites: every version in parallel, each by elimination.
        // TLS 1.3 suites come with its groups (`enumerateTLS13`): the same hellos find both.
        // SSLv3 beside TLS 1.0, whose answer tells whether SSLv3's rarer suites need asking.
        let scanned = TLSProtocolVersion.scanned
        var perVersion = await withTaskGroup(of: [(TLSProtocolVersion, SuiteEnumeration)].self) { tg in
            for v in scanned.reversed() where v != .tls13 && v != .ssl3 && v != .tls10 { tg.addTask { [(v, await ctx.enumerateSuites(v))] } }
            let low = scanned.filter { $0 == .ssl3 || $0 == .tls10 }
            if !low.isEmpty {
                tg.addTask {
                    guard low.contains(.tls10) else { return [(.ssl3, await ctx.enumerateSuites(.ssl3))] }
                    guard low.contains(.ssl3) else { return [(.tls10, await ctx.enumerateSuites(.tls10))] }
                    let tls10 = TLSResultBox()
                    async let ssl3 = ctx.enumerateSuites(.ssl3, tls10Refused: { await tls10.value.refusedAsAVersion })
                    let e10 = await ctx.enumerateSuites(.tls10)
                    await tls10.set(e10)
                    return [(.tls10, e10), (.ssl3, await ssl3)]
                }
            }
            var out: [TLSProtocolVersion: SuiteEnumeration] = [:]
            for await pairs in tg { for (v, e) in pairs { out[v] = e } }
            return out
        }
        let (suites13, g13) = await tls13
        if TLSProtocolVersion.scanned.contains(.tls13) { perVersion[.tls13] = suites13 }
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
            } else if let first = reasons.first {
                // Some versions refused, others never answered: "no TLS" would be a guess.
                result.status = .couldNotTest
                result.statusDetail = first
            } else {
                result.status = .noTLS
                result.statusDetail = "no protocol version accepted"
            }
        }

        let (g12, cert) = await (groups12, certificate)
        let specFallback = await fallback12
        if !result.acceptedVersions.isEmpty {
            // Features and the fallback test need the accepted versions and suites.
            let snapshot = result
            let accepted = snapshot.acceptedVersions
            let fallbackVersion = accepted.count >= 2 ? accepted[accepted.count - 2] : nil
            // At 1.2 the suite hellos showed the features (`FeatureTap`): no hello of their own.
            async let features = ctx.features(snapshot)
            async let fallback = fallbackVersion == .tls12 && specFallback != nil ? specFallback! : ctx.fallbackSCSV(snapshot)
            result.groups = snapshot.acceptedVersions.contains(.tls13) ? g13 : []
            result.groupsTLS12 = snapshot.acceptedVersions.contains(.tls12) ? g12 : []
            let f = await features
            result.features = f.0
            // The DHE prime from the best version whose elimination picked a DHE suite.
            result.dhPrimeBits = f.1 ?? TLSProtocolVersion.scanned.reversed().lazy.compactMap { perVersion[$0]?.dhPrimeBits }.first
            result.features.fallbackSCSV = await fallback
            if accepted.contains(.tls12) {
                (result.features.resumedWithTicket, result.features.resumedWithSessionID) = await resumption
            }
            result.conclude(certificate: cert, options: options, deadlines: deadlines)
        }
        // A server that stops answering part-way (busy, throttling: the issue's "could not
        // test", never "no TLS") leaves versions, suites or groups unfound: nothing may then be
        // reported missing. What was found stays in the result for the reader.
        let unanswered = await ctx.counter.unanswered
        if result.status == .completed, let first = unanswered.first {
            result.status = .couldNotTest
            result.statusDetail = "\(unanswered.count) hello\(unanswered.count == 1 ? "" : "s") of the enumeration got no answer (\(first)); "
                + "the server is busy or throttling, so the versions, suites and groups found are incomplete"
        }
        result.connections = await ctx.counter.value
        result.notes += await ctx.counter.phases.sorted { $0.key < $1.key }.map { "phase \($0.key)=\($0.value)" }
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
    /// Bits of the DHE prime, when a pick was a DHE suite (RFC 5246 §7.4.3 ServerDHParams).
    var dhPrimeBits: Int?

    /// Nothing found, and the server refused the version itself (RFC 8446 §6.2
    /// protocol_version, or a ServerHello of another version).
    var refusedAsAVersion: Bool {
        suites.isEmpty && (rejection.map { $0.hasSuffix("protocol_version") || $0.hasPrefix("server answered with") } ?? false)
    }

    func closingRun() -> SuiteEnumeration {
        var e = self
        if !e.currentRun.isEmpty { e.runs.append(e.currentRun); e.currentRun = [] }
        return e
    }
}

/// TLS 1.0's enumeration, awaited by SSLv3's (both children of one task).
actor TLSResultBox {
    private var result: SuiteEnumeration?
    private var waiting: [CheckedContinuation<SuiteEnumeration, Never>] = []
    var value: SuiteEnumeration {
        get async {
            if let result { return result }
            return await withCheckedContinuation { waiting.append($0) }
        }
    }
    func set(_ e: SuiteEnumeration) {
        result = e
        for w in waiting { w.resume(returning: e) }
        waiting = []
    }
}

/// The features a TLS 1.2 suite hello shows in passing (its ServerHello's extensions, read to
/// ServerHelloDone): with every suite hello carrying the feature extensions and DEFLATE, and the
/// reversed-order hello no session_ticket, the scan needs no hello of its own for them at 1.2.
actor FeatureTap {
    private(set) var main: ServerFlight?
    private(set) var noTicket: ServerHello?
    func keep(_ f: ServerFlight, offeredTicket: Bool, compression: Bool) {
        if offeredTicket, compression, main == nil { main = f }
        if !offeredTicket, noTicket == nil { noTicket = f.serverHello }
    }
}

actor Counter {
    private(set) var value = 0
    /// Hellos per scan phase (`MXRAY_TLS_PHASES=1` prints them).
    private(set) var phases: [String: Int] = [:]
    /// Set once a connection shows the port cannot be scanned at all (nothing listens, filtered,
    /// no STARTTLS): later hellos return it at once instead of waiting for their own timeouts.
    private(set) var fatal: HelloOutcome?
    func bump(_ phase: String) {
        value += 1
        phases[phase, default: 0] += 1
    }
    func stop(_ o: HelloOutcome) { if fatal == nil { fatal = o } }
    /// Hellos of the enumeration (versions, suites, groups) that got no answer at all: a busy
    /// or throttling server. Their part of the scan is incomplete, so what was not found there
    /// cannot be reported as missing.
    private(set) var unanswered: [String] = []
    func noAnswer(_ phase: String, _ why: String) { unanswered.append("\(phase): \(why)") }
}

/// Shared pieces of one scan; every hello goes through the pool (the per-host cap).
struct ScanContext: Sendable {
    let probe: TLSHelloProbe
    let pool: TLSPrimedPool
    let options: TLSScanOptions
    let counter = Counter()
    let clock = Stopwatch()
    let tap = FeatureTap()

    /// `phase` names the part of the scan for the per-phase counts.
    /// `priority` orders hellos waiting for a connection: 0 for the next link of a chain, 1 for
    /// the first hellos of each part, 2 for one-off hellos nothing else waits on.
    func send(_ hello: ClientHello, phase: String, priority: Int = 1, fullFlight: Bool = false) async -> HelloOutcome {
        if let fatal = await counter.fatal { return fatal }
        let asked = clock.milliseconds
        let (o, taken) = await withConnection(phase: phase, priority: priority) { prepared in
            let taken = clock.milliseconds
            return (await probe.exchange(hello, on: prepared, fullFlight: fullFlight), taken)
        }
        if debugTLS {
            let t = String(format: "%.0f+%.0f+%.0f ms", asked, taken - asked, clock.milliseconds - taken)
            debugPrint(hello, o, phase: "\(phase) p\(priority) \(t)")
        }
        switch o {
        case .couldNotTest(let why) where why.hasPrefix("connect"): await counter.stop(o)
        case .noStartTLS: await counter.stop(o)
        default: break
        }
        if case .couldNotTest(let why) = o, Self.isEnumeration(phase) { await counter.noAnswer(phase, why) }
        if phase == "suites \(TLSProtocolVersion.tls12)", case .flight(let f) = o, let sh = f.serverHello, sh.negotiatedVersion == .tls12 {
            await tap.keep(f, offeredTicket: hello.sessionTicket, compression: hello.compressionMethods.contains(1))
        }
        return o
    }

    /// Phases whose answers decide what the server accepts (not features, the fallback test,
    /// resumption or the certificate, which report "unknown" on their own).
    static func isEnumeration(_ phase: String) -> Bool {
        phase.hasPrefix("suites") || phase.hasPrefix("TLS 1.3") || phase.hasPrefix("groups")
    }

    /// `hello` on a connection taken from the pool beforehand; gives it back.
    func send(_ hello: ClientHello, on h: TLSPrimedPool.Handover, phase: String, priority: Int) async -> HelloOutcome {
        await counter.bump(phase)
        let o: HelloOutcome
        if probe.deadlines.exceeded {
            h.connection?.abort()
            o = .couldNotTest("scan deadline passed")
        } else {
            o = await probe.exchange(hello, on: h.prepared, fullFlight: false)
        }
        await pool.finished(h, priority: priority)
        if debugTLS { debugPrint(hello, o, phase: "\(phase) p\(priority) (taken early)") }
        return o
    }

    /// Gives back a connection taken early and not used.
    func release(_ h: TLSPrimedPool.Handover, priority: Int) async {
        h.connection?.abort()
        await pool.finished(h, priority: priority)
    }

    /// Runs `body` on a prepared connection (primed when one is ready) under the per-host cap;
    /// `body` aborts the connection when done.
    func withConnection<T: Sendable>(phase: String, priority: Int = 1,
                                     _ body: @Sendable (Result<ProbeConnection, TLSHelloProbe.PreambleError>) async -> T) async -> T {
        let h = await pool.take(priority: priority)
        await counter.bump(phase)
        let r: T
        if probe.deadlines.exceeded {
            h.connection?.abort()
            r = await body(.failure(.couldNotTest("scan deadline passed")))
        } else {
            r = await body(h.prepared)
        }
        await pool.finished(h, priority: priority)
        return r
    }

    static func random() -> [UInt8] { TLSOffers.random() }
    static var classicGroups: [UInt16] { TLSOffers.classicGroups }
    /// TLS 1.0–1.2 suite hellos also offer DEFLATE (RFC 3749), which does not change the
    /// server's suite pick, so any of their answers shows the features (`FeatureTap`).
    func hello(_ v: TLSProtocolVersion, suites: [UInt16]) -> ClientHello {
        var h = TLSOffers.hello(v, suites: suites, host: options.host)
        if v > .ssl3 && v < .tls13 { h.compressionMethods = [1, 0] }
        return h
    }
    func candidates(_ v: TLSProtocolVersion) -> [UInt16] { TLSOffers.candidates(v) }

    static func isFiniteFieldDH(_ s: UInt16) -> Bool {
        ["DHE", "DH"].contains(IANATables.traits(s).keyExchange)
    }

    /// The candidates cut into offers of at most `maxSuitesPerHello` (servers choke on big
    /// hellos): the likeliest first, both families together (one chain over it yields the
    /// server's order); the rest by family, finite-field DH apart, so that a server without DH
    /// parameters that picks one and drops the connection cannot hide the others, and a silent
    /// refusal needs no split. Below TLS 1.2 the AEAD suites are left out: RFC 5246 §6.2.3.3
    /// brought AEAD record protection, and RFC 5288 §4 / RFC 7905 §2 forbid negotiating them
    /// before 1.2.
    func chunks(_ v: TLSProtocolVersion) -> [[UInt16]] {
        var all = candidates(v)
        if v < .tls12 { all = all.filter { !IANATables.traits($0).isAEAD } }
        let size = max(1, options.maxSuitesPerHello)
        func cut(_ xs: [UInt16]) -> [[UInt16]] {
            stride(from: 0, to: xs.count, by: size).map { Array(xs[$0..<min($0 + size, xs.count)]) }
        }
        // SSLv3 (RFC 7568) is asked only to be refused: every chunk one family.
        let head = v == .ssl3 ? [] : Array(all.prefix(size))
        let rest = v == .ssl3 ? all : Array(all.dropFirst(size))
        return cut(head) + cut(rest.filter { !Self.isFiniteFieldDH($0) }) + cut(rest.filter(Self.isFiniteFieldDH))
    }

    static func deal<T>(_ items: [T], into k: Int, maxSize: Int) -> [[T]] {
        guard !items.isEmpty else { return [] }
        let size = max(1, maxSize)
        let n = min(items.count, max(k, (items.count + size - 1) / size))
        var parts = [[T]](repeating: [], count: n)
        for (i, x) in items.enumerated() { parts[i % n].append(x) }
        return parts
    }

    /// The suite the server picks from `offer` at version `v`, nil when it picks none.
    /// `noTicket`: without the session_ticket extension, so the ServerHello's session id shows
    /// whether the server keeps sessions by id (RFC 5077 §3.4: with a ticket offered it may
    /// send an empty one); the `FeatureTap` keeps it.
    func pickSuite(_ v: TLSProtocolVersion, _ offer: [UInt16], phase: String, priority: Int = 1, noTicket: Bool = false) async -> UInt16? {
        var h = hello(v, suites: offer)
        if noTicket { h.sessionTicket = false }
        guard let sh = await send(h, phase: phase, priority: priority).serverHello, sh.negotiatedVersion == v,
              offer.contains(sh.cipherSuite) else { return nil }
        return sh.cipherSuite
    }

    /// RFC 5246 §7.4.1.3: the server picks one suite of those offered; remove it and ask again
    /// until it refuses. The order decides how:
    /// - first wave: each chunk's first pick, and the first chunk offered reversed. The same pick
    ///   both ways means the server imposes its order (or accepts one suite): the first chunk is
    ///   then eliminated as one chain, which yields the server's order directly (each link one
    ///   round trip on a primed connection). Different picks mean it follows the client: the order
    ///   is the offer's, and the rest is eliminated in `suitePartitions` parallel parts;
    /// - suites found in several runs (other chunks, a DH split) are put in order by
    ///   `rankInServerOrder`.
    func enumerateSuites(_ v: TLSProtocolVersion, tls10Refused: (@Sendable () async -> Bool)? = nil) async -> SuiteEnumeration {
        let offers = chunks(v)
        guard let likely = offers.first else { return SuiteEnumeration() }
        let backwards = Array(likely.reversed())
        let phase = "suites \(v)"
        if v == .ssl3 {
            // RFC 7568 §3: SSLv3 is prohibited; servers without it answer an SSLv3 hello with
            // handshake_failure as often as with protocol_version, which does not tell a refused
            // version from refused suites. The likeliest chunk first; the other chunks only when
            // TLS 1.0 was not refused as a version: a server that refuses TLS 1.0 as a version
            // has no SSLv3 (OpenSSL ≥ 1.1 takes a disabled version as the floor of its range).
            var found = await parallel([(offers[0], [UInt16]())], v, limit: 1, phase: phase)
            let refused = { (es: [SuiteEnumeration]) in es.allSatisfy { $0.suites.isEmpty && !$0.truncated } }
            if refused(found), offers.count > 1, let tls10Refused, await tls10Refused() {
                found[0].notes.append("SSLv3: refused, and TLS 1.0 is refused as a version: the other SSLv3 suites were not offered")
                return merge(found, v, byCandidate: true)
            }
            if refused(found) {
                found += await parallel(offers.dropFirst().map { ($0, [UInt16]()) }, v, limit: 1, phase: phase)
                if refused(found) { return merge(found, v, byCandidate: true) }
            }
        } else if v < .tls12 {
            // Rarely accepted: one offer of the likely non-DH suites first (one family, so a
            // silent refusal needs no split). A refusal of the version itself (RFC 8446 §6.2
            // protocol_version, or a ServerHello of another version) answers for every chunk;
            // another refusal leaves the other suites to ask, by family, in parallel.
            let all = offers.flatMap { $0 }
            let probe = Array(all.filter { !Self.isFiniteFieldDH($0) }.prefix(max(1, options.maxSuitesPerHello)))
            let e = await eliminate(v, probe, limit: 1, phase: phase)
            let versionRefused = e.refusedAsAVersion
            if versionRefused || e.untestable != nil || e.noStartTLS != nil { return e }
            if e.suites.isEmpty {
                let rest = all.filter { !probe.contains($0) }
                let size = max(1, options.maxSuitesPerHello)
                let restOffers = [rest.filter { !Self.isFiniteFieldDH($0) }, rest.filter(Self.isFiniteFieldDH)].flatMap { xs in
                    stride(from: 0, to: xs.count, by: size).map { Array(xs[$0..<min($0 + size, xs.count)]) }
                }
                let found = await parallel(restOffers.map { ($0, [UInt16]()) }, v, limit: 1, phase: phase)
                // Nothing anywhere: refused. Else the version is accepted: enumerate as for 1.2.
                if found.allSatisfy({ $0.suites.isEmpty }) { return merge([e] + found, v, byCandidate: true) }
            }
        }
        async let reversed = pickSuite(v, backwards, phase: phase, noTicket: v == .tls12)
        let firsts = await parallel(offers.map { ($0, [UInt16]()) }, v, limit: 1, phase: phase)
        return await continueSuites(v, firsts: firsts, reversedPick: await reversed)
    }

    /// The rest of `enumerateSuites` once each chunk's first pick and the reversed pick are known.
    private func continueSuites(_ v: TLSProtocolVersion, firsts: [SuiteEnumeration], reversedPick: UInt16?) async -> SuiteEnumeration {
        let phase = "suites \(v)"
        let forwardPick = firsts.first?.suites.first
        let clientOrder = forwardPick != nil && reversedPick != nil && forwardPick != reversedPick
        let open = firsts.filter(\.truncated)
        var continued: [SuiteEnumeration]
        if clientOrder {
            // The server takes the first offered suite it accepts: parts in parallel find the
            // set; `reversedPick` is accepted (the last one in candidate order).
            let k = max(1, options.suitePartitions)
            let parts = open.flatMap { Self.deal($0.remaining.filter { $0 != reversedPick }, into: k, maxSize: options.maxSuitesPerHello) }
            continued = await parallel(parts.map { ($0, []) }, v, limit: .max, phase: phase)
            var known = SuiteEnumeration()
            known.suites = open.flatMap(\.suites) + [reversedPick!]
            known.runs = [known.suites]
            continued.append(known)
        } else {
            continued = await parallel(open.map { ($0.remaining, $0.suites) }, v, limit: .max, phase: phase)
        }
        let parts = firsts.filter { !$0.truncated } + continued
        if clientOrder {
            var merged = merge(parts, v, byCandidate: true)
            if merged.suites.count > 1 {
                merged.serverOrder = false
                merged.notes.append("\(v): the server follows the client's suite order")
            }
            return merged
        }
        var merged = merge(parts, v, byCandidate: false)
        let runs = parts.flatMap(\.runs).filter { !$0.isEmpty }
        if runs.count == 1 {
            // One uninterrupted chain: the server's order as found.
            merged.suites = runs[0]
            merged.serverOrder = runs[0].count > 1 ? true : nil
            return merged
        }
        guard !runs.isEmpty else { return merged }
        // The likely chunk in one chain (its order is the server's), a few finds in the other
        // chunks: each find is placed by binary search with two-suite offers.
        var chunkResults = continued.makeIterator()
        let first = firsts[0].truncated ? chunkResults.next() : firsts[0]
        if let main = first?.runs.filter({ !$0.isEmpty }), main.count == 1 {
            let extra = runs.filter { $0 != main[0] }.flatMap { $0 }
            if extra.count <= 4, let ordered = await insertByPairs(main[0], extra: extra, v) {
                merged.suites = ordered
                merged.serverOrder = true
                return merged
            }
        }
        let ranked = await rankInServerOrder(runs: runs, candidates: candidates(v), maxPairs: options.maxPairwiseChecks) {
            await pickSuite(v, $0, phase: "suites \(v) rank")
        }
        merged.suites = ranked.items
        merged.serverOrder = ranked.serverOrder
        if ranked.serverOrder == false { merged.notes.append("\(v): the server follows the client's suite order") }
        return merged
    }

    /// Inserts each of `extra` into `order` (the server's order) by binary search: the offer
    /// [x, y] answers whether the server prefers x to y. nil when an offer goes unanswered.
    private func insertByPairs(_ order: [UInt16], extra: [UInt16], _ v: TLSProtocolVersion) async -> [UInt16]? {
        var out = order
        for x in extra where !out.contains(x) {
            var lo = 0, hi = out.count
            while lo < hi {
                let mid = (lo + hi) / 2
                guard let p = await pickSuite(v, [x, out[mid]], phase: "suites \(v) rank"), p == x || p == out[mid] else { return nil }
                if p == x { hi = mid } else { lo = mid + 1 }
            }
            out.insert(x, at: lo)
        }
        return out
    }

    /// `eliminate` over each (offer, seed) in parallel, results in the order given.
    private func parallel(_ offers: [([UInt16], [UInt16])], _ v: TLSProtocolVersion, limit: Int, phase: String) async -> [SuiteEnumeration] {
        await withTaskGroup(of: (Int, SuiteEnumeration).self) { tg in
            for (i, (offer, seed)) in offers.enumerated() {
                tg.addTask { (i, await eliminate(v, offer, limit: limit, seed: seed, phase: phase)) }
            }
            var out: [(Int, SuiteEnumeration)] = []
            for await p in tg { out.append(p) }
            return out.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }

    /// One enumeration of the parts: notes, refusals, DH prime; suites in candidate order when
    /// `byCandidate`, else as found.
    private func merge(_ parts: [SuiteEnumeration], _ v: TLSProtocolVersion, byCandidate: Bool) -> SuiteEnumeration {
        var merged = SuiteEnumeration()
        merged.notes = parts.flatMap(\.notes)
        merged.noStartTLS = parts.compactMap(\.noStartTLS).first
        merged.dhPrimeBits = parts.compactMap(\.dhPrimeBits).first
        var seen = Set<UInt16>()
        let found = parts.flatMap(\.suites).filter { seen.insert($0).inserted }
        if found.isEmpty {
            merged.untestable = parts.compactMap(\.untestable).first
            merged.rejection = parts.compactMap(\.rejection).first
            return merged
        }
        if byCandidate {
            let position = Dictionary(candidates(v).enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
            merged.suites = found.sorted { position[$0, default: .max] < position[$1, default: .max] }
        } else {
            merged.suites = found
        }
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
                   seed: [UInt16] = [], phase: String) async -> SuiteEnumeration {
        var e = SuiteEnumeration()
        e.suites = seed
        e.currentRun = seed
        var remaining = offer
        while !remaining.isEmpty {
            // Read to ServerHelloDone below 1.3 (the same round trip): a DHE pick shows the prime.
            // The first hello of a chain waits its turn; the next links are the critical path.
            let link = e.suites.count > 0 || depth > 0 ? 0 : (v < .tls12 ? 2 : 1)
            let outcome = await send(hello(v, suites: remaining), phase: phase, priority: link, fullFlight: v < .tls13)
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
                if e.dhPrimeBits == nil { e.dhPrimeBits = f.dhPrimeBits }
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
                for (i, part) in parts.enumerated() { tg.addTask { (i, await eliminate(v, part, depth: depth + 1, phase: phase)) } }
                var out: [(Int, SuiteEnumeration)] = []
                for await r in tg { out.append(r) }
                return out.sorted { $0.0 < $1.0 }.map(\.1)
            }
            e = e.closingRun()
            e.suites += results.flatMap(\.suites)
            e.runs += results.flatMap(\.runs)
            e.notes += results.flatMap(\.notes)
            e.dhPrimeBits = e.dhPrimeBits ?? results.compactMap(\.dhPrimeBits).first
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
/// `MXRAY_TLS_PHASES=1` prints the hellos sent per phase of the scan and the pool's counts.
let debugPhases = ProcessInfo.processInfo.environment["MXRAY_TLS_PHASES"] != nil
func debugPrint(_ h: ClientHello, _ o: HelloOutcome, phase: String) {
    let what: String
    switch o {
    case .flight(let f): what = "SH \(f.serverHello.map { "\($0.negotiatedVersion) \(IANATables.suiteName($0.cipherSuite))" } ?? "-")"
    default: what = "\(o)"
    }
    FileHandle.standardError.write(Data("[\(phase)] hello \(h.legacyVersion) n=\(h.cipherSuites.count) -> \(what)\n".utf8))
}

extension TLSScanResult {
    /// How a scan that found TLS ends, full or quick: the certificate (or a note that its
    /// handshake failed) and, when the overall deadline passed, "could not test".
    mutating func conclude(certificate: CertificateReport?, options: TLSScanOptions, deadlines: Deadlines) {
        switch certificate {
        case .some(let report): self.certificate = report
        case .none: if options.fetchCertificate { notes.append(Self.certificateFailedNote) }
        }
        if deadlines.exceeded {
            status = .couldNotTest
            statusDetail = "scan deadline of \(options.overallTimeout.nanoseconds / 1_000_000_000) s passed"
        }
    }
}
