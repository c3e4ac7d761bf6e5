/// Decodes the message part of a Postfix log line (after `postfix/smtpd[pid]: `) into a
/// `MailEvent`. Works on bytes; every shape is matched by literal prefixes and delimiters, not
/// regular expressions. Shapes follow Postfix 2.x–3.10 as logged by `smtpd(8)`, `smtp(8)`,
/// `qmgr(8)`, `cleanup(8)`, `postscreen(8)`, `anvil(8)` and friends.
public enum PostfixDecoder {
    public enum Daemon: UInt8, Sendable {
        case smtpd, smtp, lmtp, local, virtual, pipe, error, discard, retry, qmgr, cleanup, pickup, bounce
        case master, anvil, scache, postscreen, dnsblog, tlsproxy, postsuper, verify, other
    }

    public static func daemon(_ b: LineBytes, _ s: Span) -> Daemon {
        let lo = Int(s.lo)
        switch s.count {
        case 4:
            if b.matches("smtp", at: lo) { return .smtp }
            if b.matches("lmtp", at: lo) { return .lmtp }
            if b.matches("qmgr", at: lo) { return .qmgr }
            if b.matches("pipe", at: lo) { return .pipe }
        case 5:
            if b.matches("smtpd", at: lo) { return .smtpd }
            if b.matches("local", at: lo) { return .local }
            if b.matches("error", at: lo) { return .error }
            if b.matches("retry", at: lo) { return .retry }
            if b.matches("anvil", at: lo) { return .anvil }
        case 6:
            if b.matches("pickup", at: lo) { return .pickup }
            if b.matches("bounce", at: lo) { return .bounce }
            if b.matches("master", at: lo) { return .master }
            if b.matches("scache", at: lo) { return .scache }
            if b.matches("verify", at: lo) { return .verify }
        case 7:
            if b.matches("cleanup", at: lo) { return .cleanup }
            if b.matches("virtual", at: lo) { return .virtual }
            if b.matches("discard", at: lo) { return .discard }
            if b.matches("dnsblog", at: lo) { return .dnsblog }
        case 8:
            if b.matches("tlsproxy", at: lo) { return .tlsproxy }
        case 9:
            if b.matches("postsuper", at: lo) { return .postsuper }
        case 10:
            if b.matches("postscreen", at: lo) { return .postscreen }
        default: break
        }
        return .other
    }

    /// Decodes `e.message` of a line whose header `SyslogHeader` already parsed.
    public static func decode(_ b: LineBytes, into e: inout MailEvent) {
        e.source = .postfix
        var i = Int(e.message.lo)
        let end = b.count
        guard i < end else { return }
        if let n = levelPrefix(b, i) { e.level = Span(i, i + n - 2); i += n }
        if let q = queueIDEnd(b, i) { e.queueID = Span(i, q); i = q + 2 }
        let d = daemon(b, e.daemon)
        switch d {
        case .smtpd: decodeSMTPD(b, i, &e)
        case .smtp, .lmtp: decodeSMTP(b, i, &e)
        case .local, .virtual, .pipe, .error, .discard, .retry:
            if e.queueID.isSet, b.matches("to=", at: i) { decodeDelivery(b, i, &e) }
        case .qmgr: decodeQmgr(b, i, &e)
        case .cleanup: decodeCleanup(b, i, &e)
        case .pickup: decodePickup(b, i, &e)
        case .bounce: decodeBounce(b, i, &e)
        case .master: decodeMaster(b, i, &e)
        case .anvil: decodeAnvil(b, i, &e)
        case .scache: decodeScache(b, i, &e)
        case .postscreen: decodePostscreen(b, i, &e)
        case .tlsproxy: decodeTLSProxy(b, i, &e)
        case .dnsblog: decodeDNSBL(b, i, &e)
        case .postsuper: decodePostsuper(b, i, &e)
        case .verify: decodeCacheCleanup(b, i, &e)
        case .other: break
        }
        if e.kind == .unknown {
            if e.level.isSet { e.kind = .warning; e.statusMessage = Span(i, end) }
            else if e.queueID.isSet, d == .qmgr || d == .postsuper { e.kind = .notice; e.statusMessage = Span(i, end) }
        }
    }

    /// `warning: `, `fatal: `, `panic: `, `error: `, `info: ` (msg(3) severities).
    @inlinable static func levelPrefix(_ b: LineBytes, _ i: Int) -> Int? {
        if b.matches("warning: ", at: i) { return 9 }
        if b.matches("fatal: ", at: i) || b.matches("panic: ", at: i) || b.matches("error: ", at: i) { return 7 }
        if b.matches("info: ", at: i) { return 6 }
        return nil
    }

    /// The end of a queue id at `i` (index of the `:` of `QID: `), or nil. Short ids are upper-case
    /// hex; long ids (`enable_long_queue_ids`) are 10+ characters from an alphabet without vowels.
    @inlinable static func queueIDEnd(_ b: LineBytes, _ i: Int) -> Int? {
        var j = i
        var hex = true, vowel = false
        while j < b.count {
            let c = b[j]
            if c &- 48 < 10 { j += 1; continue }
            let l = (c | 0x20) &- 97           // 0…25 for a letter of either case
            guard l < 26 else { break }
            if c &- 65 >= 6 { hex = false }    // not A–F
            if (0x10_4111 as UInt32) >> UInt32(l) & 1 != 0 { vowel = true }   // a e i o u
            j += 1
        }
        guard j < b.count, b[j] == 58, j + 1 == b.count || b[j + 1] == 32 else { return nil }
        let n = j - i
        if n == 7, b.matches("NOQUEUE", at: i) { return j }
        if n >= 5, n <= 24, hex { return j }
        if n >= 10, n <= 24, !vowel { return j }
        return nil
    }

    /// `host[addr]` or `[addr]`, optionally followed by `:port`, at `i`.
    /// Returns host, address, port (-1 when absent) and the index after it.
    @inlinable static func hostAddr(_ b: LineBytes, _ i: Int, to: Int? = nil) -> (host: Span, ip: Span, port: Int32, next: Int)? {
        let limit = to ?? b.count
        guard let open = b.find(91, from: i, to: limit), let close = b.find(93, from: open + 1, to: limit) else { return nil }
        // A host name never contains spaces; reject "… from foo bar[1.2.3.4]" mismatches.
        if b.find(32, from: i, to: open) != nil { return nil }
        let host = open > i ? Span(i, open) : Span.none
        var next = close + 1
        var port: Int32 = -1
        if next < limit, b[next] == 58, next + 1 < limit, isDigit(b[next + 1]) {
            var p: Int32 = 0, k = next + 1
            while k < limit, isDigit(b[k]), p < 100000 { p = p * 10 + Int32(b[k] - 48); k += 1 }
            port = p; next = k
        }
        return (host, Span(open + 1, close), port, next)
    }

    // MARK: smtpd

    static func decodeSMTPD(_ b: LineBytes, _ i0: Int, _ e: inout MailEvent) {
        let end = b.count
        var i = i0
        if e.queueID.isSet {
            if b.matches("client=", at: i) {
                e.kind = .received
                e.keyValues = Span(i, end)
                if let h = hostAddr(b, i + 7) { e.clientHost = h.host; e.clientIP = h.ip; e.clientPort = h.port }
                // ", sasl_method=PLAIN, sasl_username=alice" (smtpd_sasl_auth_enable)
                if let m = b.find("sasl_method=", from: i) {
                    let v = m + 12
                    e.method = Span(v, b.find(44, from: v) ?? end)
                }
                if let u = b.find("sasl_username=", from: i) {
                    let v = u + 14
                    e.user = Span(v, b.find(44, from: v) ?? end)
                }
                return
            }
            if decodeActionLine(b, i, &e) { return }
            return
        }
        if b.matches("connect from ", at: i) {
            e.kind = .connect
            if let h = hostAddr(b, i + 13) { e.clientHost = h.host; e.clientIP = h.ip; e.clientPort = h.port }
            return
        }
        if b.matches("disconnect from ", at: i) {
            e.kind = .disconnect
            if let h = hostAddr(b, i + 16) {
                e.clientHost = h.host; e.clientIP = h.ip; e.clientPort = h.port
                if h.next + 1 < end, b[h.next] == 32 { e.counters = Span(h.next + 1, end) }
            } else if let ub = b.find("[unknown]", from: i) {
                e.clientHost = Span(i + 16, ub); e.clientIP = Span(ub + 1, ub + 8)
                if ub + 10 < end { e.counters = Span(ub + 10, end) }
            }
            return
        }
        if e.level.isSet, b.matches("warning", at: Int(e.level.lo)) {
            // warning: host[addr]: SASL LOGIN authentication failed: <base64 challenge or reason>
            if let h = hostAddr(b, i), h.next + 2 < end, b.matches(": SASL ", at: h.next) {
                let t = h.next + 2
                if let f = b.find(" authentication failed", from: t) {
                    e.kind = .saslFailure
                    e.clientHost = h.host; e.clientIP = h.ip; e.clientPort = h.port
                    e.method = Span(t + 5, f)
                    e.statusMessage = Span(t, end)
                    if let sep = b.find(", sasl_username=", from: f) { e.user = Span(sep + 16, end) }
                    return
                }
            }
            return
        }
        if b.matches("proxy-accept: ", at: i) || b.matches("proxy-reject: ", at: i) {
            e.kind = .proxy
            e.actionText = Span(i + 6, i + 12)
            e.action = b[i + 6] == 97 ? .other : .reject
            i += 14
            guard let c = b.find(": ", from: i) else { return }
            e.stage = Span(i, c)
            let msgStart = c + 2
            let kv = b.findLast("; from=<", from: msgStart) ?? b.findLast("; to=<", from: msgStart)
            let msgEnd = kv ?? end
            e.statusMessage = Span(msgStart, msgEnd)
            if let kv { e.keyValues = Span(kv + 2, end); keyValueAddresses(b, kv + 2, end, &e) }
            parseReplyCodes(b, msgStart, msgEnd, &e)
            return
        }
        if let tls = b.find(" TLS connection established from ", from: i, to: min(end, i + 64)) {
            e.kind = .tlsEstablished
            e.tlsTrust = Span(i, tls)
            if let h = hostAddr(b, tls + 33) {
                e.clientHost = h.host; e.clientIP = h.ip; e.clientPort = h.port
                if h.next + 2 < end { tlsDetails(b, h.next + 2, &e) }
            }
            return
        }
        if b.matches("SSL_accept error from ", at: i) {
            e.kind = .tlsError
            e.word = Span(i, i + 16)
            if let h = hostAddr(b, i + 22) {
                e.clientHost = h.host; e.clientIP = h.ip; e.clientPort = h.port
                if h.next + 2 <= end { e.statusMessage = Span(min(h.next + 2, end), end) }
            }
            return
        }
        if b.matches("discarding EHLO keywords: ", at: i) { e.kind = .notice; e.extra = Span(i + 26, end); return }
        // "lost connection after RCPT (3 bytes) from host[addr]", "timeout after …", "too many errors after …",
        // "bare <LF> received after …", "improper command pipelining after … from …: <text>"
        if let after = b.find(" after ", from: i, to: min(end, i + 48)), let from = b.find(" from ", from: after + 7) {
            e.kind = .lostConnection
            e.word = Span(i, after)
            var stageEnd = from
            if let paren = b.find(" (", from: after + 7, to: from) { stageEnd = paren }
            e.stage = Span(after + 7, stageEnd)
            if let h = hostAddr(b, from + 6) {
                e.clientHost = h.host; e.clientIP = h.ip; e.clientPort = h.port
                if h.next + 2 < end, b[h.next] == 58 { e.extra = Span(h.next + 2, end) }
            }
            return
        }
    }

    /// `ACTION: STAGE from host[addr]: REPLY; from=<…> to=<…> proto=… helo=<…>` (smtpd and
    /// postscreen reject, reject_warning, hold, discard, filter, redirect, warn, milter-*).
    static func decodeActionLine(_ b: LineBytes, _ i: Int, _ e: inout MailEvent) -> Bool {
        let end = b.count
        guard let colon = b.find(58, from: i, to: min(end, i + 24)), colon + 2 < end, b[colon + 1] == 32 else { return false }
        let act = Span(i, colon)
        let s = colon + 2
        guard let fromAt = b.find(" from ", from: s, to: min(end, s + 32)) else { return false }
        guard let h = hostAddr(b, fromAt + 6) else { return false }
        e.kind = .reject
        e.actionText = act
        e.action = actionKind(b, act)
        e.stage = Span(s, fromAt)
        e.clientHost = h.host; e.clientIP = h.ip; e.clientPort = h.port
        guard h.next + 2 <= end else { return true }
        let r = min(h.next + 2, end)
        let kv = b.findLast("; from=<", from: r) ?? b.findLast("; to=<", from: r) ?? b.findLast("; proto=", from: r)
        let replyEnd = kv ?? end
        if let kv { e.keyValues = Span(kv + 2, end); keyValueAddresses(b, kv + 2, end, &e) }
        parseReply(b, r, replyEnd, &e)
        return true
    }

    static func actionKind(_ b: LineBytes, _ s: Span) -> MailEvent.Action {
        var lo = Int(s.lo)
        if b.matches("milter-", at: lo) { lo += 7 }
        let t = Span(lo, Int(s.hi))
        if b.equals(t, "reject") { return .reject }
        if b.equals(t, "reject_warning") { return .rejectWarning }
        if b.equals(t, "hold") { return .hold }
        if b.equals(t, "discard") { return .discard }
        if b.equals(t, "filter") { return .filter }
        if b.equals(t, "redirect") || b.equals(t, "header-redirect") { return .redirect }
        if b.equals(t, "warning") || b.equals(t, "warn") { return .warning }
        if b.equals(t, "info") { return .info }
        if b.equals(t, "prepend") { return .prepend }
        if b.equals(t, "replace") { return .replace }
        return .other
    }

    /// `550 5.1.1 <addr>: Recipient address rejected: …` or `554 5.7.1 Service unavailable;
    /// Client host [1.2.3.4] blocked using zen.example` (RFC 5321 §4.2 reply, RFC 3463 status).
    static func parseReply(_ b: LineBytes, _ lo: Int, _ hi: Int, _ e: inout MailEvent) {
        var j = parseReplyCodes(b, lo, hi, &e)
        e.response = Span(lo, hi)
        if j < hi, b[j] == 60, let close = b.find(62, from: j + 1, to: hi) {
            e.statusData = Span(j + 1, close)
            j = close + 1
            if b.matches(": ", at: j) { j += 2 }
            e.statusMessage = Span(min(j, hi), hi)
            return
        }
        if let blocked = b.find("] blocked using ", from: j, to: hi), let open = b.findLast(91, from: j, to: blocked) {
            e.statusData = Span(open + 1, blocked)
            e.statusMessage = Span(blocked + 2, hi)
            return
        }
        e.statusMessage = Span(j, hi)
    }

    /// Reads `NNN ` and `N.N.N ` at `lo`; returns the index after them.
    @discardableResult
    static func parseReplyCodes(_ b: LineBytes, _ lo: Int, _ hi: Int, _ e: inout MailEvent) -> Int {
        var j = lo
        if j + 3 < hi, isDigit(b[j]), isDigit(b[j + 1]), isDigit(b[j + 2]), b[j + 3] == 32 || b[j + 3] == 45 {
            e.replyCode = Int16(b[j] - 48) * 100 + Int16(b[j + 1] - 48) * 10 + Int16(b[j + 2] - 48)
            j += 4
        }
        if let end = enhancedEnd(b, j, hi) { e.enhancedCode = Span(j, end); j = min(end + 1, hi) }
        return j
    }

    /// End of an RFC 3463 enhanced status code `class.subject.detail` at `j`.
    @inlinable static func enhancedEnd(_ b: LineBytes, _ j: Int, _ hi: Int) -> Int? {
        guard j + 4 < hi, b[j] == 50 || b[j] == 52 || b[j] == 53, b[j + 1] == 46 else { return nil }
        var k = j + 2, n = 0
        while k < hi, isDigit(b[k]), n < 3 { k += 1; n += 1 }
        guard n > 0, k < hi, b[k] == 46 else { return nil }
        k += 1; n = 0
        while k < hi, isDigit(b[k]), n < 3 { k += 1; n += 1 }
        guard n > 0, k == hi || b[k] == 32 || b[k] == 44 else { return nil }
        return k
    }

    /// Pulls from=, to=, proto=, helo= out of a `key=value key=value` tail (space or ", " separated).
    static func keyValueAddresses(_ b: LineBytes, _ lo: Int, _ hi: Int, _ e: inout MailEvent) {
        var i = lo
        while i < hi {
            guard let eq = b.find(61, from: i, to: hi) else { return }
            let key = Span(i, eq)
            var v = eq + 1
            var vEnd: Int
            if v < hi, b[v] == 60 {
                v += 1
                vEnd = b.find(62, from: v, to: hi) ?? hi
                i = vEnd + 1
            } else {
                vEnd = v
                while vEnd < hi, b[vEnd] != 32, b[vEnd] != 44 { vEnd += 1 }
                i = vEnd
            }
            let val = Span(v, vEnd)
            if b.equals(key, "from") { e.from = val }
            else if b.equals(key, "to") { e.to = val }
            else if b.equals(key, "proto") { e.proto = val }
            else if b.equals(key, "helo") { e.helo = val }
            else if b.equals(key, "orig_to") { e.origTo = val }
            while i < hi, b[i] == 32 || b[i] == 44 { i += 1 }
            if i < hi, b[i] == 58 { return } // ": data" after the key-values
        }
    }

    /// `TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519
    /// server-signature RSA-PSS (4096 bits) server-digest SHA256`
    static func tlsDetails(_ b: LineBytes, _ lo: Int, _ e: inout MailEvent) {
        let end = b.count
        let vEnd = b.tokenEnd(lo)
        e.tlsVersion = Span(lo, vEnd)
        guard b.matches(" with cipher ", at: vEnd) else { return }
        let c = vEnd + 13
        let cEnd = b.tokenEnd(c)
        e.tlsCipher = Span(c, cEnd)
        var i = cEnd + 1
        if b.matches("(", at: i), let bits = b.find(" bits)", from: i) { e.tlsBits = Span(i + 1, bits); i = bits + 7 }
        while i < end {
            let kEnd = b.tokenEnd(i)
            let vStart = kEnd + 1
            guard vStart < end else { return }
            let vEnd = b.tokenEnd(vStart)
            let key = Span(i, kEnd)
            var next = vEnd + 1
            if b.equals(key, "key-exchange") { e.tlsKeyExchange = Span(vStart, vEnd) }
            else if b.equals(key, "server-signature") || b.equals(key, "client-signature") {
                let isServer = b[i] == 115
                if isServer { e.tlsSignature = Span(vStart, vEnd) }
                if next < end, b[next] == 40, let close = b.find(41, from: next) {
                    if isServer {
                        if b.matches(" bits)", at: close - 5), let sp = b.find(32, from: next, to: close) { e.tlsSignatureBits = Span(next + 1, sp) }
                        else { e.tlsSignatureCurve = Span(next + 1, close) }
                    }
                    next = close + 2
                }
            } else if b.equals(key, "server-digest") { e.tlsDigest = Span(vStart, vEnd) }
            i = next
        }
    }
}
