import TLSWire

extension ScanContext {
    /// TLS 1.3 suites and groups found by the same hellos. Every hello carries an empty
    /// key_share, so a server that accepts one of the offered suites and groups answers
    /// HelloRetryRequest naming both (RFC 8446 §4.1.4: cipher_suite and selected_group; §4.2.8).
    ///
    /// The groups are dealt into three parts eliminated in parallel (as `enumerateGroups`). The
    /// first part's chain also eliminates the suites: each answer removes its suite and its group.
    /// A refusal while both lists still hold items does not say which ran out, so the two go on
    /// apart (suites with every group, groups with every suite). The second part's first hello
    /// offers the suites in reverse: the same pick as the first part's first hello means the
    /// server imposes its order (the chain's order is the server's), another pick that it follows
    /// the client's.
    func enumerateTLS13() async -> (suites: SuiteEnumeration, groups: [UInt16]) {
        let likely = [NamedGroup.x25519, NamedGroup.secp256r1, NamedGroup.secp384r1, NamedGroup.secp521r1,
                      NamedGroup.x448, 0x0100, 0x0101, 0x0102, 0x0103, 0x0104]
        let dealt = likely + Self.groups13.filter { !likely.contains($0) }
        let parts = Self.deal(dealt, into: 3, maxSize: dealt.count)
        let suites = candidates(.tls13)
        async let joint = jointChain(suites: suites, groups: parts[0])
        let others = await withTaskGroup(of: (Int, [UInt16], UInt16?).self) { tg in
            for (i, part) in parts.enumerated().dropFirst() {
                tg.addTask {
                    // The second part's first hello asks the suites in reverse (the order test).
                    let first = await pick13(suites: i == 1 ? Array(suites.reversed()) : suites, groups: part, priority: 1)
                    guard let (suite, group) = first.pick else { return (i, [], nil) }
                    let rest = await Self.chain(part.filter { $0 != group }) { await pick13(suites: suites, groups: $0, priority: 0).pick?.group }
                    return (i, [group] + rest, i == 1 ? suite : nil)
                }
            }
            var found: [UInt16] = [], reversedPick: UInt16?
            for await (_, groups, suite) in tg {
                found += groups
                reversedPick = reversedPick ?? suite
            }
            return (found, reversedPick)
        }
        var (e, groups) = await joint
        let all = Set(groups + others.0)
        let runSuites = e.suites
        if runSuites.count > 1, let reversed = others.1 {
            if reversed == runSuites.first {
                e.serverOrder = true
            } else {
                // The server follows the client: report the candidates' order.
                e.serverOrder = false
                e.suites = suites.filter(runSuites.contains)
                e.notes.append("\(TLSProtocolVersion.tls13): the server follows the client's suite order")
            }
        }
        return (e, Self.groups13.filter(all.contains))
    }

    /// One TLS 1.3 hello with an empty key_share: the suite and group picked, or why none was.
    func pick13(suites: [UInt16], groups: [UInt16], priority: Int) async -> (pick: (suite: UInt16, group: UInt16)?, outcome: HelloOutcome) {
        var h = hello(.tls13, suites: suites)
        h.groups = groups
        h.keyShareGroups = []
        let o = await send(h, phase: "TLS 1.3 suites+groups", priority: priority)
        guard let sh = o.serverHello, sh.negotiatedVersion == .tls13, suites.contains(sh.cipherSuite),
              let g = sh.keyShareGroup, groups.contains(g) else { return (nil, o) }
        return ((sh.cipherSuite, g), o)
    }

    /// The first part's chain: suites and groups removed together while both last.
    private func jointChain(suites: [UInt16], groups: [UInt16]) async -> (SuiteEnumeration, [UInt16]) {
        var e = SuiteEnumeration()
        var suitesLeft = suites, groupsLeft = groups, foundGroups: [UInt16] = []
        var first = true
        while !suitesLeft.isEmpty && !groupsLeft.isEmpty {
            let (pick, outcome) = await pick13(suites: suitesLeft, groups: groupsLeft, priority: first ? 1 : 0)
            first = false
            if let pick {
                e.suites.append(pick.suite)
                foundGroups.append(pick.group)
                suitesLeft.removeAll { $0 == pick.suite }
                groupsLeft.removeAll { $0 == pick.group }
                continue
            }
            switch outcome {
            case .couldNotTest(let why):
                if e.suites.isEmpty { e.untestable = why } else { e.notes.append("TLSv1.3: enumeration cut short: \(why)") }
                return (e, foundGroups)
            case .noStartTLS(let why):
                e.noStartTLS = why
                return (e, foundGroups)
            case .flight(let f):
                if let sh = f.serverHello, sh.negotiatedVersion != .tls13 {
                    // RFC 8446 §4.2.1: a server without 1.3 answers with its own version.
                    if e.suites.isEmpty { e.rejection = "server answered with \(sh.negotiatedVersion)" }
                    return (e, foundGroups)
                }
            case .alert(let a) where a.alertDescription == TLSAlert.protocolVersion:
                if e.suites.isEmpty { e.rejection = a.description }
                return (e, foundGroups)
            default:
                break
            }
            // Refused with both lists left: which ran out is not known; each goes on alone.
            if e.suites.isEmpty, case .alert(let a) = outcome { e.rejection = a.description }
            if e.suites.isEmpty, case .closed = outcome { e.rejection = "connection closed without an alert" }
            let all13 = Self.groups13, allSuites = candidates(.tls13)
            async let moreSuites = Self.chain(suitesLeft) { await pick13(suites: $0, groups: all13, priority: 0).pick?.suite }
            async let moreGroups = Self.chain(groupsLeft) { await pick13(suites: allSuites, groups: $0, priority: 0).pick?.group }
            let (s, g) = await (moreSuites, moreGroups)
            if !s.isEmpty { e.rejection = nil }
            e.suites += s
            foundGroups += g
            return (e.closingRun(), foundGroups)
        }
        // One list ran out: the other goes on with everything of the first.
        if !groupsLeft.isEmpty && !e.suites.isEmpty {
            foundGroups += await Self.chain(groupsLeft) { await pick13(suites: suites, groups: $0, priority: 0).pick?.group }
        } else if !suitesLeft.isEmpty && !foundGroups.isEmpty {
            e.suites += await Self.chain(suitesLeft) { await pick13(suites: $0, groups: Self.groups13, priority: 0).pick?.suite }
        }
        return (e.closingRun(), foundGroups)
    }
}
