extension LogAggregator {
    static let pflogsummOrder: [StaticString] = ["to", "orig_to", "relay", "conn_use", "delay", "delays", "dsn"]

    /// True when pflogsumm 1.1.5's delivery pattern matches this line:
    /// `to=<…>, (orig_to=<…>, )?relay=…, (conn_use=…, )?delay=…, (delays=…, )?(dsn=…, )?status=`.
    func pflogsummDeliveryPattern(_ b: LineBytes, _ e: MailEvent) -> Bool {
        let kv = e.keyValues
        guard kv.isSet, b.matches("to=<", at: Int(kv.lo)) else { return false }
        let order = Self.pflogsummOrder
        var i = Int(kv.lo), k = 0
        let end = Int(kv.hi)
        while i < end {
            guard let eq = b.find(61, from: i, to: end) else { return false }
            let key = Span(i, eq)
            while k < order.count, !b.equals(key, order[k]) {
                if !(k == 1 || k == 3 || k == 5 || k == 6) { return false }   // orig_to, conn_use, delays, dsn are optional
                k += 1
            }
            guard k < order.count else { return false }
            if k == 1, !(eq + 1 < end && b[eq + 1] == 60) { return false }
            k += 1
            var v = eq + 1
            if v < end, b[v] == 60 { v = b.find(62, from: v) ?? end }
            guard let comma = b.find(44, from: v, to: end + 1) else { return k >= 5 }
            i = comma + 2
        }
        return k >= 5
    }

    mutating func delivery(_ e: inout MailEvent, _ b: LineBytes) {
        let t = e.time
        if e.source == .dovecot { return }   // Dovecot's side of an LMTP delivery Postfix already logged
        if e.source != .postfix {
            let n = Int64(max(e.nrcpt, 1))
            switch e.status {
            case .sent:
                totals.delivered += n; bump(1, t, by: n)
                countRecipient(b, e.to, size: max(e.size, 0))
                if e.size > 0 { totals.bytesDelivered += e.size * n }
                relaySuccessOrFailure(&e, b, ok: true)
            case .deferred:
                totals.deferrals += 1; totals.deferred += 1; bump(2, t)
                reason(1, &e, b)
                relaySuccessOrFailure(&e, b, ok: false)
            case .bounced:
                totals.bounced += 1; bump(3, t)
                reason(2, &e, b)
            default: break
            }
            codes(&e, b)
            return
        }
        guard e.queueID.isSet else { return }
        let key = QueueKey(b, e.queueID)
        let seen = pflogsummSees(b, e) && pflogsummDeliveryPattern(b, e)
        codes(&e, b)
        if e.tlsPolicy.isSet { tlsPolicies.add(b.slice(e.tlsPolicy)) }
        switch e.status {
        case .sent:
            if b.find("forwarded as ", from: Int(e.response.lo), to: Int(e.response.hi)) != nil {
                totals.forwarded += 1
                return
            }
            let size = queue[key]?.size ?? -1
            // A hand-off to a content filter: "250 … queued as NEWID" where NEWID is a message this
            // log received (the filter's re-injection). Neither a delivery nor a new message.
            if e.forwardedAs.isSet, !b.equals(e.forwardedAs, "") {
                let next = QueueKey(b, e.forwardedAs)
                if next != key, let st = queue[next], st.received {
                    filter.handoffs += 1
                    filter.reinjected += 1
                    filter.bytes += max(size, 0)
                    totals.received -= 1
                    bump(0, t, by: -1)
                    if st.size > 0 { totals.bytesReceived -= st.size }
                    if seen { diffs.deliveredUnseen -= 1; if size > 0 { diffs.bytesDeliveredUnseen -= size } }
                    // mxray now counts neither the re-injected receipt nor its bytes; pflogsumm counted both if it saw them.
                    diffs.receivedUnseen -= 1
                    if st.size > 0 { diffs.bytesReceivedUnseen -= st.size }
                    var s2 = st; s2.received = false; queue[next] = s2
                    return
                }
                if isFilterRelay(b, e) { handedOff[next] = size; filter.handoffs += 1; if seen { diffs.deliveredUnseen -= 1 }; return }
            }
            totals.delivered += 1
            bump(1, t)
            if !seen { diffs.deliveredUnseen += 1 }
            countRecipient(b, e.to, size: max(size, 0))
            if size > 0 {
                totals.bytesDelivered += size
                if !seen { diffs.bytesDeliveredUnseen += size }
            } else if queue[key] == nil, isContinuation, pendingDelivered.count < 200_000 {
                pendingDelivered.append((key, seen ? 1 : -1))
            }
            relays.add(b.slice(e.relay))
            if e.delay >= 0 {
                delayHist[0].add(e.delay)
                if e.delays.0 >= 0 { delayHist[1].add(e.delays.0); delayHist[2].add(e.delays.1); delayHist[3].add(e.delays.2); delayHist[4].add(e.delays.3) }
                let label = e.relayHost.isSet ? e.relayHost : e.relay.isSet ? e.relay : e.service
                let h = ByteCounter.hash(b.slice(label))
                if let k = relayDelayIndex[h] { relayDelays[k].1.add(e.delay) }
                else if relayDelays.count < 200 {
                    var hist = LogHistogram(); hist.add(e.delay)
                    relayDelayIndex[h] = relayDelays.count
                    relayDelays.append((b.string(label), hist))
                }
            }
            relaySuccessOrFailure(&e, b, ok: true)
        case .deferred:
            totals.deferrals += 1
            if !seen { diffs.deferralsUnseen += 1 }
            var st = queue[key] ?? QState()
            if !st.deferred {
                st.deferred = true
                totals.deferred += 1
                if !seen { diffs.deferredUnseen += 1 }
                if deferredQueue.count < 1_000_000 { deferredQueue.insert(key) }
            }
            queue[key] = st
            bump(2, t)
            evidence(2, t, b)
            reason(1, &e, b)
            relaySuccessOrFailure(&e, b, ok: false)
        case .bounced:
            totals.bounced += 1
            if !seen { diffs.bouncedUnseen += 1 }
            bump(3, t)
            reason(2, &e, b)
        default: break
        }
    }

    /// A delivery to a content filter: lmtp/smtp to a loopback port other than 25 (amavis 10024,
    /// spamassassin/milter re-injection setups), or a relay whose name says so.
    func isFilterRelay(_ b: LineBytes, _ e: MailEvent) -> Bool {
        let lo = Int(e.relay.lo), hi = Int(e.relay.hi)
        if e.relay.isSet, b.findCaseless("amavis", from: lo, to: hi) != nil || b.findCaseless("spamassassin", from: lo, to: hi) != nil
            || b.findCaseless("spampd", from: lo, to: hi) != nil || b.findCaseless("clamsmtp", from: lo, to: hi) != nil { return true }
        if e.relayPort > 0, e.relayPort != 25, e.relayPort != 587, e.relayPort != 465,
           (e.relayIP.count >= 4 && b.matches("127.", at: Int(e.relayIP.lo))) || b.equals(e.relayIP, "::1") { return true }
        return false
    }

    func relayLabel(_ b: LineBytes, _ e: MailEvent) -> String {
        if e.relayHost.isSet { return b.string(e.relayHost) }
        return e.relay.isSet ? b.string(e.relay) : b.string(e.service)
    }

    mutating func relaySuccessOrFailure(_ e: inout MailEvent, _ b: LineBytes, ok: Bool) {
        if ok && !anyRelayFailing { return }
        let name: Span
        if e.relayHost.isSet { name = e.relayHost }
        else if e.relay.isSet, !b.equals(e.relay, "none") { name = e.relay }
        else if e.response.isSet, let c = b.find("connect to ", from: Int(e.response.lo), to: Int(e.response.hi)),
                let h = PostfixDecoder.hostAddr(b, c + 11, to: Int(e.response.hi)), h.host.isSet { name = h.host }
        else if e.to.isSet, let at = b.findLast(64, from: Int(e.to.lo), to: Int(e.to.hi)) { name = Span(at + 1, Int(e.to.hi)) }
        else { return }
        let h = ByteCounter.hash(b.slice(name))
        if ok {
            // A second success in a row changes nothing in the tracker: skip it without making a String.
            if var q = quietRelays[h], q.withUTF8({ $0.elementsEqual(b.slice(name)) }) { return }
            let s = b.string(name)
            tracker.relaySuccess(relay: s)
            if quietRelays.count >= 4096 { quietRelays.removeAll(keepingCapacity: true) }
            quietRelays[h] = s
        } else {
            quietRelays.removeValue(forKey: h)
            tracker.relayFailure(relay: b.string(name), time: e.time, line: b.text)
        }
    }

    /// Only failures start a streak, so a success costs nothing while no relay is failing — except
    /// in a later chunk of a split file, which must note each relay's first success for `merge`.
    var anyRelayFailing: Bool { !tracker.relays.isEmpty || tracker.continuation }

    mutating func countRecipient(_ b: LineBytes, _ to: Span, size: Int64) {
        scratch.removeAll(keepingCapacity: true)
        appendAddress(b.slice(to))
        scratch.withUnsafeBufferPointer { recipients.add($0, bytes: size) }
        // The domain is derived from `recipients` at the end (`foldDomains`).
        if !recipients.dropped.isEmpty { foldDropped() }
    }

    mutating func codes(_ e: inout MailEvent, _ b: LineBytes) {
        if e.replyCode >= 200, e.replyCode < 600 {
            replyCodes[Int(e.replyCode)] += 1
            if e.replyCode >= 500 { bump(7, e.time) }
        }
        let enh = e.dsn.isSet ? e.dsn : e.enhancedCode
        if enh.isSet { enhanced.add(b.slice(enh)) }
    }

    /// Classifies and counts a reject (0), deferral (1) or bounce (2) reason, keeping examples.
    mutating func reason(_ which: Int, _ e: inout MailEvent, _ b: LineBytes) {
        let text = e.statusMessage.isSet ? e.statusMessage : e.response
        let milter = e.actionText.isSet && b.matches("milter-", at: Int(e.actionText.lo))
        let cls = ReasonClass.classify(b, text, milter: milter, scratch: &scratch2)
        func bumpEntry(_ entry: inout (Int64, [String])?) {
            var v = entry ?? (0, [])
            v.0 += 1
            if v.1.count < options.examples { v.1.append(b.text) }
            entry = v
        }
        switch which {
        case 0: bumpEntry(&rejectReasons[cls])
        case 1: bumpEntry(&deferralReasons[cls])
        default: bumpEntry(&bounceReasons[cls])
        }
    }

    mutating func reject(_ e: inout MailEvent, _ b: LineBytes) {
        let t = e.time
        let seen = pflogsummSees(b, e)
        switch e.action {
        case .reject:
            totals.rejected += 1
            let smtpdMilter = b.equals(e.daemon, "smtpd") && b.matches("milter-", at: Int(e.actionText.lo))
            if !seen || smtpdMilter { diffs.rejectedUnseen += 1 }
            bump(4, t)
            evidence(4, t, b)
            reason(0, &e, b)
        case .rejectWarning: totals.rejectWarnings += 1
        case .hold: totals.held += 1
        case .discard: totals.discarded += 1
        case .warning:
            if b.equals(e.daemon, "cleanup") { totals.rejectWarnings += 1 }
        default: break
        }
        if e.replyCode >= 500 { evidence(7, t, b) }
        codes(&e, b)
    }

    mutating func authFailure(_ e: inout MailEvent, _ b: LineBytes) {
        if e.source == .postfix, e.relayHost.isSet { return }   // our smtp client failing at a remote server
        let n = max(e.n1, 1)
        let proto: String
        switch e.source {
        case .dovecot:
            proto = b.string(e.proto)
            dovecot.authFailures += n
        case .exim: proto = "smtp"; sasl.failures += 1
        default: proto = "smtp"; sasl.failures += 1
        }
        bump(6, e.time, by: n)
        evidence(6, e.time, b)
        tracker.authFailure(proto: proto, address: b.string(e.clientIP, orNil: true), user: b.string(e.user, orNil: true),
                            attempts: n, time: e.time, line: b.text)
    }
}
