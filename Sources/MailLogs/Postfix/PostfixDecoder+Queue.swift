extension PostfixDecoder {
    // MARK: deliveries (smtp, lmtp, local, virtual, pipe, error, discard, retry)

    /// `to=<a>, orig_to=<b>, relay=h[ip]:25, conn_use=2, delay=3.6, delays=a/b/c/d, tls=…, dsn=2.0.0,
    /// status=sent (250 2.0.0 Ok: queued as X)`. Keys may come in any order and be absent; `to=`
    /// may lack angle brackets (local(8) before Postfix 3.x).
    static func decodeDelivery(_ b: LineBytes, _ lo: Int, _ e: inout MailEvent) {
        let end = b.count
        var i = lo
        e.kind = .delivery
        while i < end {
            guard let eq = b.find(61, from: i, to: min(end, i + 16)) else { break }
            let key = Span(i, eq)
            var v = eq + 1
            if b.equals(key, "status") {
                e.keyValues = Span(lo, max(lo, i - 1))
                var wEnd = v
                while wEnd < end, b[wEnd] != 32, b[wEnd] != 44 { wEnd += 1 }
                e.statusText = Span(v, wEnd)
                e.status = statusKind(b, e.statusText)
                if wEnd + 1 < end, b[wEnd + 1] == 40 {
                    let close = (b[end - 1] == 41) ? end - 1 : end
                    e.response = Span(wEnd + 2, close)
                    responseDetails(b, e.response, &e)
                } else if wEnd < end {
                    e.extra = Span(min(wEnd + 2, end), end)   // qmgr: ", returned to sender"
                }
                return
            }
            var vEnd: Int
            if v < end, b[v] == 60 {
                v += 1
                vEnd = b.find(62, from: v) ?? end
                i = vEnd + 1
            } else {
                vEnd = b.find(44, from: v) ?? end
                i = vEnd
            }
            let val = Span(v, vEnd)
            switch key.count {
            case 2: if b.equals(key, "to") { e.to = val }
            case 3: if b.equals(key, "dsn") { e.dsn = val } else if b.equals(key, "tls") { e.tlsPolicy = val }
            case 4: if b.equals(key, "from") { e.from = val } else if b.equals(key, "size") { e.size = b.int(val) ?? -1 }
            case 5:
                if b.equals(key, "relay") { e.relay = val; relayParts(b, val, &e) }
                else if b.equals(key, "delay") { e.delay = b.decimal(val) ?? -1 }
                else if b.equals(key, "nrcpt") { e.nrcpt = Int32(truncatingIfNeeded: b.int(val) ?? -1) }
            case 6: if b.equals(key, "delays") { e.delays = delays(b, val) }
            case 7: if b.equals(key, "orig_to") { e.origTo = val }
            default: break
            }
            while i < end, b[i] == 44 || b[i] == 32 { i += 1 }
        }
        e.keyValues = Span(lo, end)
    }

    static func statusKind(_ b: LineBytes, _ s: Span) -> MailEvent.Status {
        if b.equals(s, "sent") { return .sent }
        if b.equals(s, "deferred") { return .deferred }
        if b.equals(s, "bounced") { return .bounced }
        if b.equals(s, "expired") { return .expired }
        if b.equals(s, "deliverable") { return .deliverable }
        if b.matches("undeliverable", at: Int(s.lo)) { return .undeliverable }
        return .other
    }

    /// `a/b/c/d`: before queue manager, in queue manager, connection setup, transmission.
    static func delays(_ b: LineBytes, _ s: Span) -> (Double, Double, Double, Double) {
        var out: (Double, Double, Double, Double) = (-1, -1, -1, -1)
        var i = Int(s.lo), k = 0
        while k < 4, i <= Int(s.hi) {
            let j = b.find(47, from: i, to: Int(s.hi)) ?? Int(s.hi)
            let v = b.decimal(Span(i, j)) ?? -1
            switch k { case 0: out.0 = v; case 1: out.1 = v; case 2: out.2 = v; default: out.3 = v }
            k += 1; i = j + 1
        }
        return out
    }

    static func relayParts(_ b: LineBytes, _ s: Span, _ e: inout MailEvent) {
        guard let h = hostAddr(b, Int(s.lo), to: Int(s.hi)) else { return }
        e.relayHost = h.host
        let ip = h.ip
        if b.find(47, from: Int(ip.lo), to: Int(ip.hi)) != nil { e.relayService = ip } else { e.relayIP = ip }
        e.relayPort = h.port
    }

    /// Reply code, enhanced code and `queued as X` / `forwarded as X` inside a delivery response.
    static func responseDetails(_ b: LineBytes, _ r: Span, _ e: inout MailEvent) {
        let lo = Int(r.lo), hi = Int(r.hi)
        var j = lo
        if b.matches("host ", at: lo), let said = b.find(" said: ", from: lo, to: hi) { j = said + 7 }
        parseReplyCodes(b, j, hi, &e)
        if let q = b.find("queued as ", from: lo, to: hi) {
            var k = q + 10
            while k < hi, isAlnum(b[k]) { k += 1 }
            e.forwardedAs = Span(q + 10, k)
        } else if let f = b.find("forwarded as ", from: lo, to: hi) {
            var k = f + 13
            while k < hi, isAlnum(b[k]) { k += 1 }
            e.forwardedAs = Span(f + 13, k)
        }
    }

    // MARK: smtp(8) / lmtp(8) client

    static func decodeSMTP(_ b: LineBytes, _ i: Int, _ e: inout MailEvent) {
        let end = b.count
        if e.queueID.isSet {
            if b.matches("to=", at: i) { decodeDelivery(b, i, &e); return }
            if b.matches("host ", at: i), let h = hostAddr(b, i + 5) {
                setRelay(h, &e)
                e.kind = .remoteReply
                if b.matches(" said: ", at: h.next) {
                    let r = h.next + 7
                    var rEnd = end
                    if let inReply = b.findLast(" (in reply to ", from: r) {
                        rEnd = inReply
                        let st = inReply + 14
                        e.stage = Span(st, b.find(" command)", from: st) ?? end)
                    }
                    e.response = Span(r, rEnd)
                    parseReplyCodes(b, r, rEnd, &e)
                } else if b.matches(" refused to talk to me: ", at: h.next) {
                    let r = h.next + 24
                    e.response = Span(r, end)
                    parseReplyCodes(b, r, end, &e)
                }
                return
            }
            if b.matches("lost connection with ", at: i), let h = hostAddr(b, i + 21) {
                setRelay(h, &e)
                e.kind = .remoteReply
                e.word = Span(i, i + 15)
                if b.matches(" while ", at: h.next) { e.extra = Span(h.next + 7, end) }
                return
            }
            if b.matches("conversation with ", at: i), let h = hostAddr(b, i + 18) {
                setRelay(h, &e)
                e.kind = .remoteReply
                e.word = Span(h.next + 1, end)
                return
            }
            if b.matches("enabling PIX workarounds: ", at: i), let f = b.findLast(" for ", from: i + 26), let h = hostAddr(b, f + 5) {
                setRelay(h, &e)
                e.kind = .notice
                e.extra = Span(i + 26, f)
                return
            }
            if b.matches("SASL authentication failed; server ", at: i), let h = hostAddr(b, i + 35) {
                setRelay(h, &e)
                e.kind = .saslFailure
                if b.matches(" said: ", at: h.next) {
                    e.response = Span(h.next + 7, end)
                    parseReplyCodes(b, h.next + 7, end, &e)
                }
                return
            }
            return
        }
        if b.matches("connect to ", at: i), let h = hostAddr(b, i + 11) {
            setRelay(h, &e)
            e.kind = .connectFailure
            if b.matches(": ", at: h.next) { e.statusMessage = Span(h.next + 2, end) }
            return
        }
        if let tls = b.find(" TLS connection established to ", from: i, to: min(end, i + 64)) {
            e.kind = .tlsEstablished
            e.tlsTrust = Span(i, tls)
            if let h = hostAddr(b, tls + 31) {
                setRelay(h, &e)
                if h.next + 2 < end { tlsDetails(b, h.next + 2, &e) }
            }
            return
        }
        if b.matches("certificate verification failed for ", at: i), let h = hostAddr(b, i + 36) {
            setRelay(h, &e)
            e.kind = .tlsError
            e.word = Span(i, i + 31)
            if b.matches(": ", at: h.next) { e.statusMessage = Span(h.next + 2, end) }
            return
        }
        if b.matches("SSL_connect error to ", at: i), let h = hostAddr(b, i + 21) {
            setRelay(h, &e)
            e.kind = .tlsError
            e.word = Span(i, i + 17)
            if b.matches(": ", at: h.next) { e.statusMessage = Span(h.next + 2, end) }
            return
        }
    }

    @inlinable static func setRelay(_ h: (host: Span, ip: Span, port: Int32, next: Int), _ e: inout MailEvent) {
        e.relayHost = h.host; e.relayIP = h.ip; e.relayPort = h.port
    }

    // MARK: qmgr(8)

    static func decodeQmgr(_ b: LineBytes, _ i: Int, _ e: inout MailEvent) {
        guard e.queueID.isSet else { return }
        let end = b.count
        if b.matches("from=", at: i) {
            if let active = b.find(" (queue active)", from: i) {
                decodeDelivery(b, i, &e)
                e.kind = .queued
                e.keyValues = Span(i, active)
                return
            }
            decodeDelivery(b, i, &e)
            if e.status == .expired { e.kind = .expired } else { e.kind = .notice }
            return
        }
        if b.matches("removed", at: i), i + 7 == end { e.kind = .removed; e.statusMessage = Span(i, end); return }
    }

    // MARK: cleanup(8)

    static func decodeCleanup(_ b: LineBytes, _ i: Int, _ e: inout MailEvent) {
        guard e.queueID.isSet else { return }
        let end = b.count
        if b.matches("message-id=", at: i) {
            e.kind = .messageID
            let v = i + 11
            if v < end, b[v] == 60, b[end - 1] == 62 { e.messageIDValue = Span(v + 1, end - 1) } else { e.messageIDValue = Span(v, end) }
            return
        }
        if b.matches("resent-message-id=", at: i) { e.kind = .notice; return }
        // "[milter-]ACTION: header|body|END-OF-MESSAGE TEXT from host[ip]; from=<…> to=<…> proto=… helo=<…>[: DATA]"
        guard let colon = b.find(": ", from: i, to: min(end, i + 32)) else { return }
        let act = Span(i, colon)
        for k in Int(act.lo)..<Int(act.hi) where !(isAlnum(b[k]) || b[k] == 45 || b[k] == 95) { return }
        let t = colon + 2
        e.actionText = act
        e.action = actionKind(b, act)
        let kvAt = b.findLast("; from=<", from: t)
        let msgEnd = kvAt ?? end
        e.statusMessage = Span(t, msgEnd)
        e.stage = Span(t, b.tokenEnd(t) < msgEnd ? b.tokenEnd(t) : msgEnd)
        if let kvAt {
            let kvStart = kvAt + 2
            var kvEnd = end
            // The key-values end where ": DATA" begins (a redirect target, a prepended header).
            var k = kvStart
            while k < end {
                if b[k] == 60, let close = b.find(62, from: k) { k = close + 1; if b.matches(": ", at: k) { kvEnd = k; break }; continue }
                k += 1
            }
            e.keyValues = Span(kvStart, kvEnd)
            if kvEnd < end { e.extra = Span(kvEnd + 2, end) }
            keyValueAddresses(b, kvStart, kvEnd, &e)
        }
        // The client, from the last " from host[ip]" of the text.
        var trigger = e.statusMessage
        if let f = b.findLast(" from ", from: t, to: msgEnd), let h = hostAddr(b, f + 6, to: msgEnd) {
            e.clientHost = h.host; e.clientIP = h.ip; e.clientPort = h.port
            trigger = Span(t, f)
            if h.next + 2 < msgEnd, b.matches(": ", at: h.next) { parseReplyCodes(b, h.next + 2, msgEnd, &e); e.response = Span(h.next + 2, msgEnd) }
        } else if let f = b.findLast(" from local", from: t, to: msgEnd) {
            trigger = Span(t, f)
        }
        if b.matches("header ", at: Int(trigger.lo)) || b.matches("body ", at: Int(trigger.lo)) {
            let sp = b.find(32, from: Int(trigger.lo))!
            e.word = Span(Int(trigger.lo), sp)
            e.trigger = Span(sp + 1, Int(trigger.hi))
        } else {
            e.trigger = trigger
        }
        switch e.action {
        case .reject, .hold, .discard: e.kind = .reject
        default: e.kind = .cleanupAction
        }
    }

    // MARK: pickup(8), bounce(8)

    static func decodePickup(_ b: LineBytes, _ i: Int, _ e: inout MailEvent) {
        guard e.queueID.isSet, b.matches("uid=", at: i) || b.matches("sender=", at: i) else { return }
        e.kind = .received
        e.keyValues = Span(i, b.count)
        if let f = b.find("from=<", from: i) { e.from = Span(f + 6, b.find(62, from: f + 6) ?? b.count) }
        if let u = b.find("uid=", from: i) { e.n1 = b.int(Span(u + 4, b.tokenEnd(u + 4))) ?? -1 }
    }

    /// `sender non-delivery notification: QID` (also `delivery status`, `delay`, `success`;
    /// the first word is who gets it: sender or postmaster).
    static func decodeBounce(_ b: LineBytes, _ i: Int, _ e: inout MailEvent) {
        guard e.queueID.isSet, let n = b.find(" notification: ", from: i) else { return }
        let sp = b.tokenEnd(i)
        guard sp < n else { return }
        e.kind = .bounceNotice
        e.word = Span(i, sp)
        e.statusMessage = Span(sp + 1, n)
        e.forwardedAs = Span(n + 15, b.count)
    }
}
