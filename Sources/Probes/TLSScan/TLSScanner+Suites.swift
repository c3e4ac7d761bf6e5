import TLSWire

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

/// Suites per version by elimination (RFC 5246 §7.4.1.3), in the server's order when it has one.
extension ScanContext {
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
    func enumerateSuites(_ v: TLSProtocolVersion) async -> SuiteEnumeration {
        if v == .ssl3 { return await enumerateSSL3(likely: await ssl3Likely(), tls10Refused: false) }
        let offers = chunks(v)
        guard !offers.isEmpty else { return SuiteEnumeration() }
        let phase = "suites \(v)"
        if v < .tls12 {
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
        return await enumerateAccepted(v, offers)
    }

    /// SSLv3's likeliest chunk (RFC 7568 §3: SSLv3 is prohibited); `enumerateSSL3` goes on.
    func ssl3Likely() async -> [SuiteEnumeration] {
        guard let likely = chunks(.ssl3).first else { return [] }
        return await parallel([(likely, [])], .ssl3, limit: 1, phase: "suites \(TLSProtocolVersion.ssl3)")
    }

    /// SSLv3 after its likeliest chunk. Servers without SSLv3 answer its hello with
    /// handshake_failure as often as with protocol_version, which does not tell a refused version
    /// from refused suites, so the other chunks are asked too, unless TLS 1.0 was refused as a
    /// version: a server that refuses TLS 1.0 as a version has no SSLv3 (OpenSSL ≥ 1.1 takes a
    /// disabled version as the floor of its range).
    func enumerateSSL3(likely: [SuiteEnumeration], tls10Refused: Bool) async -> SuiteEnumeration {
        let v = TLSProtocolVersion.ssl3
        let offers = chunks(v)
        var found = likely
        let refused = { (es: [SuiteEnumeration]) in es.allSatisfy { $0.suites.isEmpty && !$0.truncated } }
        if refused(found), !found.isEmpty, offers.count > 1, tls10Refused {
            found[0].notes.append("SSLv3: refused, and TLS 1.0 is refused as a version: the other SSLv3 suites were not offered")
            return merge(found, v, byCandidate: true)
        }
        if refused(found) {
            found += await parallel(offers.dropFirst().map { ($0, [UInt16]()) }, v, limit: 1, phase: "suites \(v)")
            if refused(found) { return merge(found, v, byCandidate: true) }
        }
        return await enumerateAccepted(v, offers)
    }

    /// A version the server accepts: each chunk's first pick and the first chunk reversed in one
    /// wave, then `continueSuites`.
    private func enumerateAccepted(_ v: TLSProtocolVersion, _ offers: [[UInt16]]) async -> SuiteEnumeration {
        guard let likely = offers.first else { return SuiteEnumeration() }
        let phase = "suites \(v)"
        async let reversed = pickSuite(v, Array(likely.reversed()), phase: phase, noTicket: v == .tls12)
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
