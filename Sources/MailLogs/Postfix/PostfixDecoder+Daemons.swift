extension PostfixDecoder {
    // MARK: master(8)

    static func decodeMaster(_ b: LineBytes, _ i: Int, _ e: inout MailEvent) {
        let end = b.count
        if b.matches("daemon started -- version ", at: i) || b.matches("reload -- version ", at: i) {
            e.kind = .master
            let v = (b.find("version ", from: i) ?? i) + 8
            let comma = b.find(44, from: v) ?? end
            e.word = Span(v, comma)
            if let c = b.find("configuration ", from: comma) { e.extra = Span(c + 14, end) }
            e.statusMessage = Span(i, b.find(" --", from: i) ?? end)
        } else if b.matches("terminating on signal ", at: i) {
            e.kind = .master
            e.n1 = b.int(Span(i + 22, end)) ?? -1
            e.statusMessage = Span(i, i + 11)
        }
    }

    // MARK: anvil(8)

    /// `statistics: max connection rate 1/60s for (smtpd:192.0.2.1) at Oct 26 18:13:50`,
    /// `statistics: max cache size 1 at …`. n1 = the count or rate, word = the rate period.
    static func decodeAnvil(_ b: LineBytes, _ i: Int, _ e: inout MailEvent) {
        let end = b.count
        guard b.matches("statistics: max ", at: i) else { return }
        let m = i + 16
        var k = m
        while k < end, !isDigit(b[k]) { k += 1 }
        guard k > m, k < end else { return }
        e.kind = .statistics
        e.statusMessage = Span(m, k - 1)
        var n = k
        while n < end, isDigit(b[n]) { n += 1 }
        e.n1 = b.int(Span(k, n)) ?? -1
        if n < end, b[n] == 47 { let p = b.tokenEnd(n + 1); e.word = Span(n + 1, p); n = p }
        if b.matches(" for (", at: n), let close = b.find(") at ", from: n + 6) {
            let ident = Span(n + 6, close)
            // service:address where an inet service may itself be host:port (127.0.0.1:2525:127.0.0.1)
            if let c1 = b.find(58, from: Int(ident.lo), to: Int(ident.hi)) {
                var split = c1
                let head = Span(Int(ident.lo), c1)
                if b.find(46, from: Int(head.lo), to: Int(head.hi)) != nil || b.int(head) != nil,
                   let c2 = b.find(58, from: c1 + 1, to: Int(ident.hi)) { split = c2 }
                e.service = Span(Int(ident.lo), split)
                e.clientIP = Span(split + 1, Int(ident.hi))
            }
            e.extra = Span(close + 5, end)
        } else if b.matches(" at ", at: n) {
            e.extra = Span(n + 4, end)
        }
    }

    // MARK: scache(8)

    static func decodeScache(_ b: LineBytes, _ i: Int, _ e: inout MailEvent) {
        let end = b.count
        guard b.matches("statistics: ", at: i) else { return }
        let t = i + 12
        e.kind = .statistics
        if b.matches("start interval ", at: t) { e.word = Span(t, t + 14); e.extra = Span(t + 15, end); return }
        let firstEq = b.find(61, from: t) ?? end
        let wEnd = b.findLast(32, from: t, to: firstEq) ?? t
        e.word = Span(t, wEnd)
        var values: [Int64] = []
        var k = t
        while let eq = b.find(61, from: k), values.count < 3 {
            var j = eq + 1
            while j < end, isDigit(b[j]) { j += 1 }
            values.append(b.int(Span(eq + 1, j)) ?? -1)
            k = j
        }
        if values.count > 0 { e.n1 = values[0] }
        if values.count > 1 { e.n2 = values[1] }
        if values.count > 2 { e.n3 = values[2] }
    }

    // MARK: postscreen(8)

    static func decodePostscreen(_ b: LineBytes, _ i: Int, _ e: inout MailEvent) {
        let end = b.count
        if e.queueID.isSet { _ = decodeActionLine(b, i, &e); return }
        if b.matches("CONNECT from ", at: i), let h = hostAddr(b, i + 13) {
            e.kind = .connect
            e.clientIP = h.ip; e.clientPort = h.port
            if b.matches(" to ", at: h.next), let s = hostAddr(b, h.next + 4) { e.serverIP = s.ip; e.serverPort = s.port }
            e.word = Span(i, i + 7)
            return
        }
        if b.matches("DISCONNECT ", at: i), let h = hostAddr(b, i + 11) {
            e.kind = .disconnect
            e.clientIP = h.ip; e.clientPort = h.port
            return
        }
        if b.matches("cache ", at: i) { decodeCacheCleanup(b, i, &e); return }
        // "PASS OLD [ip]:port", "WHITELIST VETO [ip]:port", "DNSBL rank 3 for [ip]:port",
        // "PREGREET 6 after 1.2 from [ip]:port: …", "HANGUP after 63 from [ip]:port in …",
        // "COMMAND TIME LIMIT from [ip]:port after CONNECT", "NON-SMTP COMMAND from … after …: …"
        guard let open = b.find(" [", from: i, to: min(end, i + 40)), let h = hostAddr(b, open + 1) else { return }
        e.kind = .postscreen
        e.clientIP = h.ip; e.clientPort = h.port
        let head = Span(i, open)
        e.word = head
        if let fromAt = b.find(" from", from: i, to: open) {
            // violation with a detail: "PREGREET 6 after 1.2 from", "COMMAND TIME LIMIT from"
            var wordEnd = fromAt
            if let after = b.find(" after ", from: i, to: fromAt) {
                e.extra = Span(after + 7, fromAt)   // violation time (seconds)
                wordEnd = after
                if let sp = b.find(32, from: i, to: wordEnd), b[i] == 80 /* PREGREET n */ { e.n1 = b.int(Span(sp + 1, wordEnd)) ?? -1; wordEnd = sp }
            }
            e.word = Span(i, wordEnd)
            if b.matches(" after ", at: h.next) {
                let st = h.next + 7
                e.stage = Span(st, b.find(58, from: st) ?? end)
            } else if b.matches(" in ", at: h.next) {
                e.statusMessage = Span(h.next + 4, end)
            }
            if let c = b.find(": ", from: h.next) { e.statusMessage = Span(c + 2, end) }
        } else if let forAt = b.find(" for", from: i, to: open), b.matches("DNSBL rank ", at: i) {
            e.word = Span(i, i + 5)
            e.n1 = b.int(Span(i + 11, forAt)) ?? -1
        }
    }

    /// postscreen and verify: `cache btree:/path full cleanup: retained=242 dropped=7 entries`.
    static func decodeCacheCleanup(_ b: LineBytes, _ i: Int, _ e: inout MailEvent) {
        guard b.matches("cache ", at: i), let c = b.find(" cleanup: retained=", from: i) else { return }
        e.kind = .statistics
        let typeStart = (b.findLast(32, from: i, to: c) ?? c) + 1
        e.word = Span(typeStart, c)
        e.extra = Span(i + 6, typeStart - 1)
        let r = c + 19
        let rEnd = b.tokenEnd(r)
        e.n1 = b.int(Span(r, rEnd)) ?? -1
        if b.matches(" dropped=", at: rEnd) { e.n2 = b.int(Span(rEnd + 9, b.tokenEnd(rEnd + 9))) ?? -1 }
    }

    // MARK: tlsproxy(8), dnsblog(8), postsuper(1)

    static func decodeTLSProxy(_ b: LineBytes, _ i: Int, _ e: inout MailEvent) {
        if b.matches("CONNECT from ", at: i), let h = hostAddr(b, i + 13) { e.kind = .connect; e.clientIP = h.ip; e.clientPort = h.port }
        else if b.matches("DISCONNECT ", at: i), let h = hostAddr(b, i + 11) { e.kind = .disconnect; e.clientIP = h.ip; e.clientPort = h.port }
    }

    /// `addr 192.0.2.1 listed by domain zen.example as 127.0.0.2`
    static func decodeDNSBL(_ b: LineBytes, _ i: Int, _ e: inout MailEvent) {
        guard b.matches("addr ", at: i), let l = b.find(" listed by domain ", from: i + 5), let a = b.find(" as ", from: l + 18) else { return }
        e.kind = .dnsbl
        e.clientIP = Span(i + 5, l)
        e.statusData = Span(l + 18, a)
        e.statusMessage = Span(a + 4, b.count)
    }

    static func decodePostsuper(_ b: LineBytes, _ i: Int, _ e: inout MailEvent) {
        let end = b.count
        if e.queueID.isSet {
            if b.matches("removed", at: i) || b.matches("requeued", at: i) || b.matches("placed on hold", at: i)
                || b.matches("released from hold", at: i) || b.matches("expired", at: i) {
                e.kind = .postsuper
                e.statusMessage = Span(i, end)
            }
            return
        }
        // "Deleted: 115 messages", "Placed on hold: 67 messages", "Requeued: 1 message"
        if let c = b.find(": ", from: i, to: min(end, i + 24)) {
            let n0 = c + 2
            let nEnd = b.tokenEnd(n0)
            if let n = b.int(Span(n0, nEnd)), b.matches(" message", at: nEnd) {
                e.kind = .postsuper
                e.word = Span(i, c)
                e.n1 = n
            }
        }
    }
}
