extension LogAggregator {
    /// Folds in the aggregate of the chunk that follows this one in the same input (parallel
    /// decoding). Queue-id state that crossed the chunk boundary is settled here.
    public mutating func merge(_ other: LogAggregator) {
        var o = other
        o.flushMinute()
        flushMinute()
        for (key, size, from) in o.pendingQmgr {
            if var st = queue[key], st.size < 0 {
                st.size = size
                queue[key] = st
                backlog -= 1   // counted once at receipt here and once at qmgr there
                if st.received {
                    totals.bytesReceived += size
                    if st.unseenByPflogsumm { diffs.bytesReceivedUnseen += size }
                    from.withUnsafeBufferPointer { p in countSender(LineBytes(p), Span(0, p.count), size: size, fallback: queue.clientName(key, st) ?? "") }
                }
            }
            // Otherwise received before this input began: nothing earlier can settle it.
        }
        for (key, flag) in o.pendingDelivered {
            if let st = queue[key], st.size > 0 {
                totals.bytesDelivered += st.size
                if flag < 0 { diffs.bytesDeliveredUnseen += st.size }
            }
        }
        for key in o.deferredQueue where deferredQueue.contains(key) { totals.deferred -= 1 }
        deferredQueue.formUnion(o.deferredQueue)
        o.queue.forEach { k, v, name in
            if var s = queue[k] {
                if s.size < 0 { s.size = v.size }
                s.deferred = s.deferred || v.deferred
                s.received = s.received || v.received
                queue[k] = s
            } else {
                var s = v
                s.client = ClientName()
                if var name { name.withUTF8 { queue.setClientName(k, &s, $0) } }
                queue[k] = s
            }
        }
        for (k, v) in o.handedOff { handedOff[k] = v }
        let base = backlog
        backlog += o.backlog
        for (m, v) in o.backlogByMinute { backlogByMinute[m] = base + v }

        totals.received += o.totals.received; totals.delivered += o.totals.delivered; totals.forwarded += o.totals.forwarded
        totals.deferred += o.totals.deferred; totals.deferrals += o.totals.deferrals; totals.bounced += o.totals.bounced
        totals.rejected += o.totals.rejected; totals.rejectWarnings += o.totals.rejectWarnings; totals.held += o.totals.held
        totals.discarded += o.totals.discarded; totals.bytesReceived += o.totals.bytesReceived; totals.bytesDelivered += o.totals.bytesDelivered
        totals.connections += o.totals.connections; totals.expired += o.totals.expired
        diffs.receivedUnseen += o.diffs.receivedUnseen; diffs.deliveredUnseen += o.diffs.deliveredUnseen
        diffs.bouncedUnseen += o.diffs.bouncedUnseen; diffs.deferralsUnseen += o.diffs.deferralsUnseen
        diffs.deferredUnseen += o.diffs.deferredUnseen; diffs.rejectedUnseen += o.diffs.rejectedUnseen
        diffs.bytesDeliveredUnseen += o.diffs.bytesDeliveredUnseen; diffs.bytesReceivedUnseen += o.diffs.bytesReceivedUnseen
        filter.handoffs += o.filter.handoffs; filter.reinjected += o.filter.reinjected; filter.bytes += o.filter.bytes
        lines += o.lines; unknownLines += o.unknownLines
        first = min(first, o.first); last = max(last, o.last)
        senders.merge(o.senders); recipients.merge(o.recipients); foldDropped()
        senderDomains.merge(o.senderDomains); recipientDomains.merge(o.recipientDomains); relays.merge(o.relays); clients.merge(o.clients)
        enhanced.merge(o.enhanced); warnings.merge(o.warnings); tlsVersions.merge(o.tlsVersions); tlsCiphers.merge(o.tlsCiphers)
        commandTotals.merge(o.commandTotals); commandFailures.merge(o.commandFailures)
        tlsPolicies.merge(o.tlsPolicies); postscreen.merge(o.postscreen); saslMethods.merge(o.saslMethods); saslUsers.merge(o.saslUsers)
        dovecotProtocols.merge(o.dovecotProtocols); dovecotUsers.merge(o.dovecotUsers); unknownPrograms.merge(o.unknownPrograms)
        for i in 0..<replyCodes.count { replyCodes[i] += o.replyCodes[i] }
        for h in 0..<24 { for c in 0..<8 { hours[h][c] += o.hours[h][c] } }
        for (d, v) in o.days { var r = days[d] ?? [Int64](repeating: 0, count: 8); for c in 0..<8 { r[c] += v[c] }; days[d] = r }
        for (m, v) in o.minutes { var r = minutes[m] ?? Minute(); for c in 0..<8 { r.v[c] += v.v[c] }; minutes[m] = r }
        for (k, v) in o.minuteEvidence where minuteEvidence[k] == nil && minuteEvidence.count < 20_000 { minuteEvidence[k] = v }
        for i in 0..<delayHist.count { delayHist[i].merge(o.delayHist[i]) }
        for (r, h) in o.relayDelays {
            if let k = relayDelays.firstIndex(where: { $0.0 == r }) { relayDelays[k].1.merge(h) }
            else if relayDelays.count < 200 {
                var key = r
                relayDelayIndex[key.withUTF8 { ByteCounter.hash($0) }] = relayDelays.count
                relayDelays.append((r, h))
            }
        }
        func mergeReasons(_ a: inout [ReasonClass: (Int64, [String])], _ b: [ReasonClass: (Int64, [String])]) {
            for (k, v) in b { var e = a[k] ?? (0, []); e.0 += v.0; e.1 = Array((e.1 + v.1).prefix(options.examples)); a[k] = e }
        }
        mergeReasons(&rejectReasons, o.rejectReasons); mergeReasons(&deferralReasons, o.deferralReasons); mergeReasons(&bounceReasons, o.bounceReasons)
        for (p, s) in o.unknownSamples where unknownSamples.count < 50 || unknownSamples[p] != nil {
            unknownSamples[p] = Array((unknownSamples[p, default: []] + s).prefix(options.examples))
        }
        tls.inboundConnections += o.tls.inboundConnections; tls.inboundTLS += o.tls.inboundTLS
        tls.outboundTLS += o.tls.outboundTLS; tls.errors += o.tls.errors
        sasl.logins += o.sasl.logins; sasl.failures += o.sasl.failures
        dovecot.logins += o.dovecot.logins; dovecot.authFailures += o.dovecot.authFailures
        tracker.merge(o.tracker)
        quietRelays.removeAll()
    }

    /// The finished report for `inputs`.
    public func summary(inputs: [LogSummary.Input] = []) -> LogSummary {
        var me = self
        me.flushMinute()
        me.foldDomains()
        return me.finishedSummary(inputs: inputs)
    }

    func finishedSummary(inputs: [LogSummary.Input]) -> LogSummary {
        var s = LogSummary()
        s.inputs = inputs
        if first != .max { s.first = LogTime.iso(first); s.last = LogTime.iso(last) }
        s.totals = totals
        s.totals.senders = Int64(senders.distinct)
        s.totals.sendingDomains = Int64(senderDomains.distinct)
        s.totals.recipients = Int64(recipients.distinct)
        s.totals.recipientDomains = Int64(recipientDomains.distinct)
        s.contentFilter = filter
        s.pflogsummDifferences = diffs
        s.approximate = [senders, recipients, senderDomains, recipientDomains, relays, clients].contains { $0.approximate }
        func row(_ label: String, _ v: [Int64]) -> LogSummary.Row {
            LogSummary.Row(label: label, received: v[0], delivered: v[1], deferred: v[2], bounced: v[3], rejected: v[4], connections: v[5], authFailures: v[6], fiveXX: v[7])
        }
        s.perHour = (0..<24).map { row(($0 < 10 ? "0" : "") + "\($0):00", hours[$0]) }
        s.perDay = days.keys.sorted().map { d in row(String(LogTime.iso(d * 86400 * LogTime.microsPerSecond).prefix(10)), days[d]!) }
        let mins = minutes.keys.sorted()
        if let lo = mins.first, let hi = mins.last, hi - lo < 2880 {
            s.perMinute = (lo...hi).map { m in row(String(LogTime.iso(m * 60 * LogTime.microsPerSecond).dropFirst(11).prefix(5)), minutes[m]?.v ?? [Int64](repeating: 0, count: 8)) }
        }
        // Reply codes, 5xx first, then 4xx, then 2xx.
        let codes = (200..<600).filter { replyCodes[$0] > 0 }.sorted { ($0 / 100 == 5 ? 0 : $0 / 100 == 4 ? 1 : 2, $0) < ($1 / 100 == 5 ? 0 : $1 / 100 == 4 ? 1 : 2, $1) }
        s.replyCodes = codes.map { .init(key: String($0), count: replyCodes[$0]) }
        s.enhancedCodes = enhanced.top(1000).sorted { ($0.key.first == "5" ? 0 : $0.key.first == "4" ? 1 : 2, -$0.count) < ($1.key.first == "5" ? 0 : $1.key.first == "4" ? 1 : 2, -$1.count) }
            .map { .init(key: $0.key, count: $0.count) }
        func pct(_ h: LogHistogram) -> LogSummary.Percentiles {
            .init(count: h.count, p50: h.quantile(0.5), p90: h.quantile(0.9), p99: h.quantile(0.99), max: h.max, mean: h.count > 0 ? h.sum / Double(h.count) : 0)
        }
        s.delays.total = pct(delayHist[0]); s.delays.beforeQueueManager = pct(delayHist[1]); s.delays.inQueueManager = pct(delayHist[2])
        s.delays.connectionSetup = pct(delayHist[3]); s.delays.transmission = pct(delayHist[4])
        s.delays.perRelay = relayDelays.sorted { $0.1.count != $1.1.count ? $0.1.count > $1.1.count : $0.0 < $1.0 }
            .prefix(options.top).map { .init(relay: $0.0, delay: pct($0.1)) }
        func kc(_ c: ByteCounter, _ n: Int, bytes: Bool = false) -> [LogSummary.KeyCount] {
            c.top(n).map { .init(key: $0.key, count: $0.count, bytes: bytes ? $0.bytes : nil) }
        }
        let n = options.top
        s.top = .init(senders: kc(senders, n, bytes: true), recipients: kc(recipients, n, bytes: true), senderDomains: kc(senderDomains, n, bytes: true),
                      recipientDomains: kc(recipientDomains, n, bytes: true), relays: kc(relays, n), clients: kc(clients, n))
        func reasons(_ t: [ReasonClass: (Int64, [String])]) -> [LogSummary.Reason] {
            t.sorted { $0.value.0 != $1.value.0 ? $0.value.0 > $1.value.0 : $0.key.rawValue < $1.key.rawValue }
                .map { .init(reason: $0.key.rawValue, count: $0.value.0, examples: $0.value.1) }
        }
        s.rejectReasons = reasons(rejectReasons); s.deferralReasons = reasons(deferralReasons); s.bounceReasons = reasons(bounceReasons)
        s.tls = tls
        s.tls.inboundShare = tls.inboundConnections > 0 ? Double(tls.inboundTLS) / Double(tls.inboundConnections) : 0
        s.tls.versions = kc(tlsVersions, 20); s.tls.ciphers = kc(tlsCiphers, 20); s.tls.deliveryPolicies = kc(tlsPolicies, 20)
        s.postscreen = kc(postscreen, 40)
        s.smtpCommands = commandTotals.top(64).map { .init(key: $0.key, count: $0.count, bytes: nil) }
        s.smtpCommandsRefused = commandFailures.top(64).map { .init(key: $0.key, count: $0.count, bytes: nil) }
        s.sasl = sasl; s.sasl.methods = kc(saslMethods, 20); s.sasl.users = kc(saslUsers, n)
        s.dovecot = dovecot; s.dovecot.byProtocol = kc(dovecotProtocols, 20); s.dovecot.users = kc(dovecotUsers, n)
        s.warnings = kc(warnings, 30)
        s.unknown = unknownPrograms.top(30).map { .init(program: $0.key.isEmpty ? "(no syslog header)" : $0.key, count: $0.count, samples: unknownSamples[$0.key] ?? []) }
        s.alerts = tracker.alerts + spikeAlerts() + queueGrowthAlerts()
        if options.keepQueueBacklog || s.alerts.contains(where: { $0.kind == .queueGrowth }) { s.queueBacklog = queueBacklog() }
        return s
    }

    /// The backlog as a dense per-minute series over the last day at most (values carried forward).
    func queueBacklog(lastMinutes: Int64 = 1_440) -> LogSummary.QueueBacklog? {
        guard let end = backlogByMinute.keys.max(), let earliest = backlogByMinute.keys.min() else { return nil }
        let start = max(earliest, end - lastMinutes + 1)
        var level = Double(backlogByMinute.filter { $0.key < start }.max { $0.key < $1.key }?.value ?? 0)
        var values: [Double] = []
        values.reserveCapacity(Int(end - start + 1))
        for m in start...end {
            if let v = backlogByMinute[m] { level = Double(v) }
            values.append(level)
        }
        return .init(firstMinute: start, values: values)
    }

    func spikeAlerts() -> [LogSummary.Alert] {
        let names: [(Int, String)] = [(5, "connections"), (4, "rejects"), (2, "deferrals"), (7, "5xx replies"), (6, "authentication failures")]
        let keys = minutes.keys.sorted()
        var out: [LogSummary.Alert] = []
        for (col, name) in names {
            let series = keys.map { ($0, minutes[$0]!.v[col]) }
            guard series.contains(where: { $0.1 > 0 }) else { continue }
            out += SpikeDetector.spikes(series: series, name: name, options: options.alerts) { m in
                minuteEvidence[m * 8 + Int64(col)].map { [$0] } ?? []
            }
        }
        return out
    }

    /// A backlog (messages queued and not yet removed) that rose in each of at least three
    /// consecutive ten-minute windows, by ten messages or more.
    func queueGrowthAlerts() -> [LogSummary.Alert] {
        let points = backlogByMinute.sorted { $0.key < $1.key }
        guard points.count > 3 else { return [] }
        var windows: [(Int64, Int64)] = []
        for (m, v) in points {
            let w = m / 10
            if let l = windows.last, l.0 == w { windows[windows.count - 1].1 = v } else { windows.append((w, v)) }
        }
        var bestStart = -1, bestEnd = -1, runStart = 0
        for i in 1..<max(windows.count, 1) {
            if windows[i].1 > windows[i - 1].1, windows[i].0 == windows[i - 1].0 + 1 {
                if i - runStart >= 3, windows[i].1 - windows[runStart].1 >= 10 { bestStart = runStart; bestEnd = i }
            } else { runStart = i }
        }
        guard bestStart >= 0 else { return [] }
        let a = windows[bestStart], z = windows[bestEnd]
        let evidence = (bestStart...bestEnd).map { "\(LogTime.iso(windows[$0].0 * 600 * LogTime.microsPerSecond)): \(windows[$0].1) messages in the queue" }
            + (deferralReasons.values.flatMap { $0.1 }.prefix(3))
        return [LogSummary.Alert(
            kind: .queueGrowth, subject: "queue", windowStart: LogTime.iso(a.0 * 600 * LogTime.microsPerSecond),
            windowEnd: LogTime.iso((z.0 + 1) * 600 * LogTime.microsPerSecond - 1), count: z.1 - a.1,
            detail: "the queue grew from \(a.1) to \(z.1) messages over \(bestEnd - bestStart + 1) ten-minute windows without shrinking",
            evidence: evidence,
            advice: "Mail is arriving faster than it leaves: check the deferral reasons and failing relays, `postqueue -p`, and the queue manager's concurrency; a dead next hop or DNS failure usually explains it.")]
    }
}
