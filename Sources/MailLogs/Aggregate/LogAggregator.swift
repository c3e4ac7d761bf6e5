public struct AggregatorOptions: Sendable {
    public var cardinalityCap = 50_000
    public var top = 10
    public var examples = 3
    public var since: Int64? = nil
    public var until: Int64? = nil
    public var alerts = AlertOptions()
    /// Keep the per-minute queue backlog in the summary even when the queue-growth alert did not fire.
    public var keepQueueBacklog = false
    public init() {}
}

/// Consumes `MailEvent`s and keeps every figure `LogSummary` reports, in bounded memory.
/// pflogsumm's counting rules are followed for its Grand Totals (see docs/logs.md), with its
/// known misses counted separately in `diffs`.
public struct LogAggregator: Sendable {
    struct Minute: Sendable { var v = [Int64](repeating: 0, count: 8) }  // received, delivered, deferred, bounced, rejected, connections, authFailures, 5xx

    public var options: AggregatorOptions
    /// Set for every chunk of a split file but the first: only those can settle queue-id state
    /// with an earlier chunk, so only they keep the pending lists (bounded).
    public var isContinuation = false { didSet { tracker.continuation = isContinuation } }
    var totals = LogSummary.Totals()
    var diffs = LogSummary.PflogsummDifferences()
    var filter = LogSummary.ContentFilter()
    var lines: Int64 = 0
    var unknownLines: Int64 = 0
    var first: Int64 = .max, last: Int64 = .min

    var senders: ByteCounter, recipients: ByteCounter, senderDomains: ByteCounter, recipientDomains: ByteCounter
    var relays: ByteCounter, clients: ByteCounter, enhanced: ByteCounter, warnings: ByteCounter
    var commandTotals = ByteCounter(capacity: 64), commandFailures = ByteCounter(capacity: 64)
    var tlsVersions = ByteCounter(capacity: 64), tlsCiphers = ByteCounter(capacity: 256), tlsPolicies = ByteCounter(capacity: 64)
    var postscreen = ByteCounter(capacity: 64), saslMethods = ByteCounter(capacity: 32), saslUsers: ByteCounter
    var dovecotProtocols = ByteCounter(capacity: 32), dovecotUsers: ByteCounter, unknownPrograms = ByteCounter(capacity: 1000)
    var replyCodes = [Int64](repeating: 0, count: 600)
    var hours = [[Int64]](repeating: [Int64](repeating: 0, count: 8), count: 24)
    var days: [Int64: [Int64]] = [:]
    var minutes: [Int64: Minute] = [:]
    var minuteEvidence: [Int64: String] = [:]
    var lastEvidence = [Int64](repeating: -1, count: 8)
    var currentMinuteKey = Int64.min
    var currentMinute = Minute()
    var delayHist = [LogHistogram](repeating: LogHistogram(), count: 5)
    var relayDelays: [(String, LogHistogram)] = []
    var relayDelayIndex: [UInt64: Int] = [:]
    var rejectReasons: [ReasonClass: (Int64, [String])] = [:]
    var deferralReasons: [ReasonClass: (Int64, [String])] = [:]
    var bounceReasons: [ReasonClass: (Int64, [String])] = [:]
    var unknownSamples: [String: [String]] = [:]
    var tls = LogSummary.TLS()
    var sasl = LogSummary.SASL()
    var dovecot = LogSummary.Dovecot()
    var queue = QueueTable()
    var backlog: Int64 = 0
    var backlogByMinute: [Int64: Int64] = [:]
    var pendingQmgr: [(QueueKey, Int64, [UInt8])] = []
    var pendingDelivered: [(QueueKey, Int64)] = []
    var deferredQueue = Set<QueueKey>()
    var handedOff: [QueueKey: Int64] = [:]
    var tracker: AlertTracker
    /// Relays whose last event was a success already given to `tracker` (by name hash): a repeat
    /// success is a no-op there, so it is skipped here. A cache only; cleared by `merge`.
    var quietRelays: [UInt64: String] = [:]
    var scratch: [UInt8] = []
    var scratch2: [UInt8] = []

    public init(options: AggregatorOptions = AggregatorOptions()) {
        self.options = options
        let cap = options.cardinalityCap
        senders = ByteCounter(capacity: cap); recipients = ByteCounter(capacity: cap)
        senders.keepsDropped = true; recipients.keepsDropped = true
        senderDomains = ByteCounter(capacity: cap); recipientDomains = ByteCounter(capacity: cap)
        relays = ByteCounter(capacity: cap); clients = ByteCounter(capacity: cap)
        enhanced = ByteCounter(capacity: 1000); warnings = ByteCounter(capacity: 2000)
        saslUsers = ByteCounter(capacity: cap); dovecotUsers = ByteCounter(capacity: cap)
        tracker = AlertTracker(options: options.alerts)
    }

    /// Counts into the hour, day and minute of `t`. The current minute is kept aside and
    /// written back when the minute changes (`flushMinute`), so most lines touch no dictionary.
    @inline(__always) mutating func bump(_ col: Int, _ t: Int64, by n: Int64 = 1) {
        guard t > 0 else { return }
        let secs = t / LogTime.microsPerSecond
        let m = secs / 60
        if m != currentMinuteKey { flushMinute(); currentMinuteKey = m; currentMinute = minutes[m] ?? Minute() }
        currentMinute.v[col] += n
    }

    mutating func flushMinute() {
        guard currentMinuteKey != Int64.min else { return }
        let m = currentMinuteKey
        let old = minutes[m]
        minutes[m] = currentMinute
        let secs = m * 60
        let h = Int(secs / 3600 % 24)
        var day = days[secs / 86400] ?? [Int64](repeating: 0, count: 8)
        for c in 0..<8 {
            let delta = currentMinute.v[c] - (old?.v[c] ?? 0)
            hours[h][c] += delta
            day[c] += delta
        }
        days[secs / 86400] = day
        currentMinuteKey = Int64.min
    }

    /// Keeps the first line of each (minute, series) as spike evidence.
    mutating func evidence(_ col: Int, _ t: Int64, _ b: LineBytes) {
        guard t > 0, minuteEvidence.count < 20_000 else { return }
        let key = (t / LogTime.microsPerSecond / 60) * 8 + Int64(col)
        if lastEvidence[col] == key { return }
        lastEvidence[col] = key
        if minuteEvidence[key] == nil { minuteEvidence[key] = b.text }
    }

    /// pflogsumm 1.1.5 reads only `postfix/<cmd>`, `postfix/smtps/<cmd>` and `postfix/submission/<cmd>`.
    @inline(__always) func pflogsummSees(_ b: LineBytes, _ e: MailEvent) -> Bool {
        guard !e.instance.isSet else { return false }
        guard e.service.isSet else { return true }
        return b.equals(e.service, "smtps") || b.equals(e.service, "submission")
    }

    public mutating func consume(_ e: inout MailEvent, _ b: LineBytes) {
        if e.time != 0 {
            if let s = options.since, e.time < s { return }
            if let u = options.until, e.time >= u { return }
            if e.time < first { first = e.time }
            if e.time > last { last = e.time }
        }
        lines += 1
        let t = e.time
        switch e.kind {
        case .unknown:
            unknownLines += 1
            // Exim and Exchange lines carry no program: count them under the format's name.
            let p = e.source == .exim ? "exim" : e.source == .exchange ? "exchange" : b.string(e.program.count > 0 ? e.program : Span(0, 0))
            unknownPrograms.add(p)
            if unknownSamples.count < 50 || unknownSamples[p] != nil {
                if unknownSamples[p, default: []].count < options.examples { unknownSamples[p, default: []].append(b.text) }
            }
        case .connect:
            if e.source == .postfix, b.equals(e.daemon, "smtpd") { totals.connections += 1; tls.inboundConnections += 1; bump(5, t); evidence(5, t, b) }
            else if e.source == .postfix, b.equals(e.daemon, "postscreen") { postscreen.add(b.slice(e.word)) }
        case .disconnect:
            if e.counters.isSet { commandCounters(b, e.counters) }
        case .received: received(&e, b)
        case .queued: queued(&e, b)
        case .delivery: delivery(&e, b)
        case .reject: reject(&e, b)
        case .cleanupAction:
            // pflogsumm counts cleanup "warning: header|body …" (header/body_checks WARN) as reject warnings.
            if e.action == .warning, b.equals(e.stage, "header") || b.equals(e.stage, "body") || b.equals(e.stage, "END-OF-MESSAGE") {
                totals.rejectWarnings += 1
            }
        case .removed:
            if e.source == .postfix, e.queueID.isSet {
                if queue.removeValue(forKey: QueueKey(b, e.queueID)) != nil { backlog -= 1; markBacklog(t) }
            }
        case .expired: totals.expired += 1
        case .saslFailure: authFailure(&e, b)
        case .authSuccess:
            let proto = e.source == .dovecot ? b.string(e.proto) : "smtp"
            dovecot.logins += e.source == .dovecot ? 1 : 0
            if e.source == .dovecot { dovecotProtocols.add(b.slice(e.proto)); dovecotUsers.add(b.slice(e.user)) }
            tracker.authSuccess(proto: proto, address: b.string(e.clientIP, orNil: true), user: b.string(e.user, orNil: true))
        case .tlsEstablished:
            if b.equals(e.daemon, "smtpd") {
                tls.inboundTLS += 1
                tlsVersions.add(b.slice(e.tlsVersion))
                tlsCiphers.add(b.slice(e.tlsCipher))
            } else { tls.outboundTLS += 1 }
        case .tlsError: tls.errors += 1
        case .postscreen: postscreen.add(b.slice(e.word))
        case .connectFailure:
            // Not counted for relay-failing: the deferral that follows is the failed attempt.
            break
        case .warning:
            scratch.removeAll(keepingCapacity: true)
            scratch.append(contentsOf: b.slice(e.daemon)); scratch.append(58); scratch.append(32)
            let m = e.statusMessage.isSet ? e.statusMessage : e.message
            scratch.append(contentsOf: b.slice(Span(Int(m.lo), min(Int(m.hi), Int(m.lo) + 72))))
            scratch.withUnsafeBufferPointer { warnings.add($0) }
        default: break
        }
    }

    /// Postfix 3.x `ehlo=2 starttls=1 auth=0/1 rcpt=0/1 commands=3/5`: totals and refused ones per command.
    mutating func commandCounters(_ b: LineBytes, _ s: Span) {
        var i = Int(s.lo)
        let end = Int(s.hi)
        while i < end {
            let tEnd = b.find(32, from: i, to: end) ?? end
            if let eq = b.find(61, from: i, to: tEnd) {
                let name = b.slice(Span(i, eq))
                if let slash = b.find(47, from: eq + 1, to: tEnd), let ok = b.int(Span(eq + 1, slash)), let all = b.int(Span(slash + 1, tEnd)) {
                    commandTotals.add(name, count: all)
                    if all > ok { commandFailures.add(name, count: all - ok) }
                } else if let all = b.int(Span(eq + 1, tEnd)) {
                    commandTotals.add(name, count: all)
                }
            }
            i = tEnd + 1
        }
    }

    mutating func received(_ e: inout MailEvent, _ b: LineBytes) {
        let t = e.time
        if e.source == .postfix {
            guard e.queueID.isSet, !b.equals(e.queueID, "NOQUEUE") else { return }
            let key = QueueKey(b, e.queueID)
            let isPickup = b.equals(e.daemon, "pickup")
            if let size = handedOff.removeValue(forKey: key) {
                // The content filter re-injected this copy after we saw its hand-off: not a new message.
                filter.reinjected += 1
                filter.bytes += max(size, 0)
                var st = queue[key] ?? QState()
                st.received = false
                st.reinjectedSeenByPflogsumm = pflogsummSees(b, e)
                if st.reinjectedSeenByPflogsumm { diffs.receivedUnseen -= 1 }
                queue[key] = st
                return
            }
            totals.received += 1
            bump(0, t)
            var st = queue[key] ?? QState()
            if st.size < 0 && queue[key] == nil { backlog += 1; markBacklog(t) }
            st.received = true
            // Kept raw; shortened by gimmeDomain only when used.
            if isPickup {
                let p: StaticString = "pickup"
                queue.setClientName(key, &st, UnsafeBufferPointer(start: p.utf8Start, count: p.utf8CodeUnitCount))
            } else {
                queue.setClientName(key, &st, b.slice(e.clientHost.isSet && !b.equals(e.clientHost, "unknown") ? e.clientHost : e.clientIP))
            }
            let seen = pflogsummSees(b, e)
            if !seen { diffs.receivedUnseen += 1; st.unseenByPflogsumm = true }
            queue[key] = st
            if !isPickup { clients.add(b.slice(e.clientIP.isSet ? e.clientIP : e.clientHost)) }
            if e.user.isSet {
                sasl.logins += 1
                saslMethods.add(b.slice(e.method)); saslUsers.add(b.slice(e.user))
                tracker.authSuccess(proto: "smtp", address: b.string(e.clientIP, orNil: true), user: b.string(e.user))
            }
            return
        }
        // Exim, Exchange: the receipt line carries the size and sender.
        totals.received += 1
        bump(0, t)
        if e.size > 0 { totals.bytesReceived += e.size }
        countSender(b, e.from, size: max(e.size, 0), fallback: e.clientIP.isSet ? b.string(e.clientIP) : "")
        if e.clientIP.isSet { clients.add(b.slice(e.clientIP)) }
        if e.user.isSet { sasl.logins += 1; saslMethods.add(b.slice(e.method)); saslUsers.add(b.slice(e.user)) }
    }

    mutating func queued(_ e: inout MailEvent, _ b: LineBytes) {
        guard e.queueID.isSet, e.size >= 0 else { return }
        let key = QueueKey(b, e.queueID)
        guard var st = queue[key] else {
            // Received in an earlier chunk (or before the log starts): settled in merge().
            queue[key] = QState(size: e.size)
            backlog += 1
            markBacklog(e.time)
            if isContinuation, pendingQmgr.count < 200_000 { pendingQmgr.append((key, e.size, Array(b.slice(e.from)))) }
            return
        }
        guard st.size < 0 else { return }   // pflogsumm: "avoid double-counting"
        st.size = e.size
        queue[key] = st
        if st.reinjectedSeenByPflogsumm { diffs.bytesReceivedUnseen -= e.size }
        if st.received {
            totals.bytesReceived += e.size
            if st.unseenByPflogsumm { diffs.bytesReceivedUnseen += e.size }
            countSender(b, e.from, size: e.size, fallback: queue.clientName(key, st) ?? "")
        }
    }

    func markBacklogValue() -> Int64 { backlog }
    mutating func markBacklog(_ t: Int64) { if t > 0, backlogByMinute.count < 200_000 { backlogByMinute[t / LogTime.microsPerSecond / 60] = backlog } }

    /// pflogsumm's sender key: the domain part lower-cased; `from=<>` for the null sender.
    /// The domain of an address with `@` is not counted here but derived from `senders` at the
    /// end (`foldDomains`); only the fallbacks for addresses without one are counted per line.
    mutating func countSender(_ b: LineBytes, _ from: Span, size: Int64, fallback: String) {
        scratch.removeAll(keepingCapacity: true)
        let p = b.slice(from)
        if p.isEmpty { scratch.append(contentsOf: "from=<>".utf8) } else { appendAddress(p) }
        scratch.withUnsafeBufferPointer { senders.add($0, bytes: size) }
        if !senders.dropped.isEmpty { foldDropped() }
        if scratch.contains(64) {
            return
        } else if fallback == "pickup" || fallback.isEmpty {
            scratch.withUnsafeBufferPointer { senderDomains.add($0, bytes: size) }
        } else {
            senderDomains.add(Self.gimmeDomain(fallback), bytes: size)
        }
    }

    /// The domain a sender or recipient key is counted under when derived: the part after the
    /// last `@`; nil for a sender without one (counted per line instead), the whole key for a recipient.
    static func derivedDomain(_ key: UnsafeBufferPointer<UInt8>, sender: Bool) -> UnsafeBufferPointer<UInt8>? {
        var i = key.count - 1
        while i >= 0, key[i] != 64 { i -= 1 }
        if i < 0 { return sender ? nil : key }
        return UnsafeBufferPointer(rebasing: key[(i + 1)...])
    }

    /// Counts the domains of address entries the address counters dropped (past their cardinality cap).
    mutating func foldDropped() {
        for d in senders.dropped {
            d.key.withUnsafeBufferPointer { if let dom = Self.derivedDomain($0, sender: true) { senderDomains.add(dom, count: d.count, bytes: d.bytes) } }
        }
        for d in recipients.dropped {
            d.key.withUnsafeBufferPointer { if let dom = Self.derivedDomain($0, sender: false) { recipientDomains.add(dom, count: d.count, bytes: d.bytes) } }
        }
        senders.dropped.removeAll(); recipients.dropped.removeAll()
    }

    /// Adds the domains of every address still counted to the domain counters (for a summary,
    /// on a copy: the live counters keep only what cannot be derived).
    mutating func foldDomains() {
        foldDropped()
        senders.forEachKey { k, count, bytes in
            if let dom = Self.derivedDomain(k, sender: true) { senderDomains.add(dom, count: count, bytes: bytes) }
        }
        recipients.forEachKey { k, count, bytes in
            if let dom = Self.derivedDomain(k, sender: false) { recipientDomains.add(dom, count: count, bytes: bytes) }
        }
    }

    /// Appends an address with its domain lower-cased (pflogsumm's `s/(@.+)/\L$1/`).
    @inline(__always) mutating func appendAddress(_ p: UnsafeBufferPointer<UInt8>) {
        var inDomain = false
        for c in p { if c == 64 { inDomain = true }; scratch.append(inDomain ? lowerASCII(c) : c) }
    }

    /// pflogsumm's gimme_domain: the client's host name shortened to its last two labels (three for
    /// `xx.yy` country second levels), or its address when unknown.
    static func gimmeDomain(_ h: String) -> String {
        // An address (from "unknown[addr]") is used as it is.
        if h.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || $0 == 46 }) || h.contains(":") { return h }
        let labels = h.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 3 else { return h }
        let lastLabel = labels[labels.count - 1], second = labels[labels.count - 2]
        if lastLabel.count == 3 { return "\(second).\(lastLabel)".lowercased() }
        if lastLabel.count == 2, (2...3).contains(second.count), labels.count >= 4 {
            return "\(labels[labels.count - 3]).\(second).\(lastLabel)".lowercased()
        }
        return h
    }
}
