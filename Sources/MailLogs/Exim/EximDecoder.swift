/// Exim 4 `mainlog` lines (Exim specification, chapter "Log files", "Log line flags"):
///
///     2026-11-29 16:10:39 1tGxyz-000abc-DE <= alice@example.org H=mx.example.org (helo) [192.0.2.7]:4123 P=esmtps X=TLS1.3:… S=1234 id=…
///     2026-11-29 16:10:40 1tGxyz-000abc-DE => bob@example.net R=dnslookup T=remote_smtp H=mx.example.net [198.51.100.2] C="250 OK"
///     2026-11-29 16:10:40 1tGxyz-000abc-DE -> carol@example.net R=…          (another address, same delivery)
///     2026-11-29 16:10:40 1tGxyz-000abc-DE ** dave@example.net R=…: SMTP error from remote mail server after RCPT TO:<…>: 550 …
///     2026-11-29 16:10:40 1tGxyz-000abc-DE == erin@example.net R=… T=… defer (-44): …
///     2026-11-29 16:10:41 H=(helo) [192.0.2.9] F=<x@y> rejected RCPT <z@w>: relay not permitted
///
/// Message ids are 16 (`XXXXXX-XXXXXX-XX`) or, since Exim 4.97, 23 characters (`XXXXXX-XXXXXXXXXXX-XXXX`).
/// The timestamp may carry a zone (`log_timezone`) and a `[pid]` (`log_selector = +pid`).
public enum EximDecoder {
    public static func decode(_ b: LineBytes, into e: inout MailEvent) {
        e.source = .exim
        guard let t = LogTime.rfc3339(b, at: 0) else { return }
        e.time = t.micros
        var i = b.skipSpaces(t.end)
        if i < b.count, b[i] == 91, let close = b.find(93, from: i) {   // [pid]
            e.pid = Int32(truncatingIfNeeded: b.int(Span(i + 1, close)) ?? 0)
            i = b.skipSpaces(close + 1)
        }
        e.message = Span(i, b.count)
        e.program = Span(i, i)   // Exim logs have no program; counted under "exim"
        let end = b.count
        if let idEnd = messageIDEnd(b, i) {
            e.queueID = Span(i, idEnd)
            i = idEnd + 1
            guard i + 3 <= end else { return }
            let f0 = b[i], f1 = b[i + 1]
            let flag = (UInt16(f0) << 8) | UInt16(f1)
            let a = i + 3
            switch flag {
            case 0x3C3D: // <=
                e.kind = .received
                let aEnd = b.tokenEnd(a)
                e.from = (b.matches("<>", at: a) && aEnd == a + 2) ? Span(a, a) : Span(a, aEnd)
                fields(b, aEnd, &e)
            case 0x3D3E, 0x2D3E, 0x2A3E: // => -> *>
                e.kind = .delivery; e.status = .sent
                recipient(b, a, &e)
            case 0x2A2A: // **
                e.kind = .delivery; e.status = .bounced
                recipient(b, a, &e)
            case 0x3D3D: // ==
                e.kind = .delivery; e.status = .deferred
                recipient(b, a, &e)
            default:
                if b.matches("Completed", at: i) { e.kind = .removed }
                else if b.matches("Frozen", at: i) { e.kind = .notice; e.action = .hold }
                else { e.kind = .notice }
                e.statusMessage = Span(i, end)
            }
            return
        }
        // Lines without a message id: rejects, auth failures, connection notes.
        if let r = b.find(" rejected ", from: i) {
            e.kind = .reject
            e.action = .reject
            fields(b, i, &e, stop: r)
            let st = r + 10
            let stEnd = b.tokenEnd(st)
            e.stage = Span(st, stEnd)
            if let c = b.find(": ", from: stEnd) {
                e.statusMessage = Span(c + 2, end)
                if st < c, b.matches("RCPT", at: st), let lt = b.find(60, from: stEnd, to: c), let gt = b.find(62, from: lt, to: c) { e.to = Span(lt + 1, gt) }
            } else { e.statusMessage = Span(st, end) }
            return
        }
        if let f = b.find(" authenticator failed for ", from: i) {
            e.kind = .saslFailure
            e.method = Span(i, f)
            fields(b, f + 26, &e)
            if let s = b.find("(set_id=", from: f) { e.user = Span(s + 8, b.find(41, from: s) ?? end) }
            if let c = b.find("]: ", from: f) { e.statusMessage = Span(c + 3, end); PostfixDecoder.parseReplyCodes(b, c + 3, end, &e) }
            return
        }
        e.statusMessage = Span(i, end)
    }

    /// 16-character (6-6-2) or 23-character (6-11-4) base-62 message id at `i`, followed by a space.
    @inlinable static func messageIDEnd(_ b: LineBytes, _ i: Int) -> Int? {
        func run(_ from: Int, _ n: Int) -> Bool {
            guard from + n <= b.count else { return false }
            for k in from..<(from + n) where !isAlnum(b[k]) { return false }
            return true
        }
        if run(i, 6), i + 6 < b.count, b[i + 6] == 45 {
            if run(i + 7, 6), i + 13 < b.count, b[i + 13] == 45, run(i + 14, 2), i + 16 < b.count, b[i + 16] == 32 { return i + 16 }
            if run(i + 7, 11), i + 18 < b.count, b[i + 18] == 45, run(i + 19, 4), i + 23 < b.count, b[i + 23] == 32 { return i + 23 }
        }
        return nil
    }

    static func recipient(_ b: LineBytes, _ a: Int, _ e: inout MailEvent) {
        let aEnd = b.tokenEnd(a)
        e.to = Span(a, aEnd)
        var rest = aEnd
        // "=> bob@x <orig@y> R=…": the original address in angle brackets.
        if rest + 1 < b.count, b[rest + 1] == 60, let gt = b.find(62, from: rest + 1) { e.origTo = Span(rest + 2, gt); rest = gt + 1 }
        fields(b, rest, &e)
        if e.status != .sent, let c = b.find(": ", from: rest) {
            e.response = Span(c + 2, b.count)
            let codeAt = b.findLast(": ", from: c, to: b.count).map { $0 + 2 } ?? c + 2
            PostfixDecoder.parseReplyCodes(b, codeAt, b.count, &e)
        }
    }

    /// `H=host (helo) [ip]:port`, `S=size`, `P=proto`, `X=tls`, `R=router`, `T=transport`,
    /// `C="confirmation"`, `A=authenticator:user`, `F=<sender>`, `QT=`/`DT=` times.
    static func fields(_ b: LineBytes, _ lo: Int, _ e: inout MailEvent, stop: Int? = nil) {
        let end = stop ?? b.count
        var i = lo
        while i < end {
            i = b.skipSpaces(i)
            guard i + 2 < end else { return }
            var eq = i
            while eq < end, eq - i < 3, b[eq] != 61, b[eq] != 32 { eq += 1 }
            guard eq < end, b[eq] == 61 else { i = b.tokenEnd(i); continue }
            let key = Span(i, eq)
            var v = eq + 1
            var vEnd: Int
            if v < end, b[v] == 34 { v += 1; vEnd = b.find(34, from: v, to: end) ?? end; i = vEnd + 1 }
            else { vEnd = b.find(32, from: v, to: end) ?? end; i = vEnd }
            let val = Span(v, vEnd)
            switch key.count {
            case 1:
                switch b[Int(key.lo)] {
                case 72: // H=host (helo) [ip]:port
                    var k = v
                    if b[v] != 91, b[v] != 40 { e.relayHost = val; k = vEnd; if k < end, b[k] == 32 { k += 1 } }
                    if k < end, b[k] == 40, let close = b.find(41, from: k, to: end) {
                        e.helo = Span(k + 1, close); k = close + 1; if k < end, b[k] == 32 { k += 1 }
                    }
                    if k < end, b[k] == 91, let close = b.find(93, from: k, to: end) {
                        e.relayIP = Span(k + 1, close); k = close + 1
                        if k < end, b[k] == 58 { var p: Int32 = 0; k += 1; while k < end, isDigit(b[k]), p < 100000 { p = p * 10 + Int32(b[k] - 48); k += 1 }; e.relayPort = p }
                    }
                    i = max(i, k)
                    if e.kind == .received || e.kind == .reject || e.kind == .saslFailure {
                        e.clientHost = e.relayHost; e.clientIP = e.relayIP; e.clientPort = e.relayPort
                        e.relayHost = .none; e.relayIP = .none; e.relayPort = -1
                    }
                case 83: e.size = b.int(val) ?? -1                     // S=
                case 80: e.proto = val                                  // P=
                case 88: e.tlsCipher = val; e.tlsTrust = val            // X=
                case 82: e.relay = val                                  // R= router
                case 84: e.service = val                                // T= transport
                case 67: e.response = val; PostfixDecoder.parseReplyCodes(b, v, vEnd, &e) // C=
                case 65: if let c = b.find(58, from: v, to: vEnd) { e.method = Span(v, c); e.user = Span(c + 1, vEnd) } else { e.method = val }
                case 70: e.from = (vEnd > v && b[v] == 60) ? Span(v + 1, max(v + 1, vEnd - 1)) : val // F=<x>
                default: break
                }
            case 2:
                if b.equals(key, "QT") || b.equals(key, "DT") { e.delay = eximDuration(b, val) }
                else if b.equals(key, "id") { e.messageIDValue = val }
            default: break
            }
        }
    }

    /// `1h2m3s`, `45s`, `0.123s` → seconds.
    static func eximDuration(_ b: LineBytes, _ s: Span) -> Double {
        var total = 0.0, i = Int(s.lo)
        let end = Int(s.hi)
        while i < end {
            var j = i
            while j < end, isDigit(b[j]) || b[j] == 46 { j += 1 }
            guard j > i, j < end, let v = b.decimal(Span(i, j)) else { return total }
            switch b[j] {
            case 100: total += v * 86400
            case 104: total += v * 3600
            case 109: total += v * 60
            case 119: total += v * 604800
            default: total += v
            }
            i = j + 1
        }
        return total
    }
}
