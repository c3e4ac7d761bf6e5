/// Dovecot 2.x log lines, through syslog (`dovecot: imap-login: Login: …`) or Dovecot's own
/// `log_path` (`imap-login: Info: Login: …`):
///
///     imap-login: Login: user=<alice>, method=PLAIN, rip=192.0.2.7, lip=192.0.2.1, mpid=42, TLS, session=<…>
///     pop3-login: Disconnected (auth failed, 3 attempts in 12 secs): user=<bob>, method=PLAIN, rip=…, lip=…, TLS
///     imap-login: Login aborted: Connection closed (auth failed, 1 attempts in 2 secs) (auth_failed): user=<x>, …
///     imap(alice)<4242><sess>: Disconnected: Logged out in=120 out=804
///
/// `proto` carries the protocol (imap, pop3, submission, managesieve, lmtp), `n1` the number of
/// failed attempts a login process reports.
public enum DovecotDecoder {
    public static func isDovecot(_ b: LineBytes, _ e: MailEvent) -> Bool {
        let p = e.program
        guard p.isSet else { return false }
        if b.equals(p, "dovecot") { return true }
        let hi = Int(p.hi)
        if p.count > 6, b.matches("-login", at: hi - 6) { return true }
        for name in ["imap", "pop3", "lmtp", "auth", "submission", "managesieve", "master", "config", "anvil", "log", "doveadm"] as [StaticString] {
            if p.count >= name.utf8CodeUnitCount, b.matches(name, at: Int(p.lo)) {
                let after = Int(p.lo) + name.utf8CodeUnitCount
                if after == hi || b[after] == 40 || b[after] == 45 { return true }
            }
        }
        return false
    }

    public static func decode(_ b: LineBytes, into e: inout MailEvent) {
        e.source = .dovecot
        let end = b.count
        var i = Int(e.message.lo)
        var svc = e.program
        if b.equals(e.program, "dovecot") {
            // "dovecot: imap-login: …": the first token names the process.
            guard let c = b.find(": ", from: i, to: min(end, i + 64)) else { return }
            svc = Span(i, c)
            i = c + 2
        }
        // Dovecot's own log files carry a level: "Info: ", "Warning: ", "Error: ", "Fatal: ", "Panic: ".
        for lvl in ["Info: ", "Warning: ", "Error: ", "Fatal: ", "Panic: ", "Debug: "] as [StaticString] where b.matches(lvl, at: i) {
            e.level = Span(i, i + lvl.utf8CodeUnitCount - 2)
            i += lvl.utf8CodeUnitCount
            break
        }
        e.daemon = svc
        // Protocol: the service name up to "-login", "(" or its end.
        var pEnd = Int(svc.lo)
        while pEnd < Int(svc.hi), isAlnum(b[pEnd]) { pEnd += 1 }
        e.proto = Span(Int(svc.lo), pEnd)
        let isLogin = svc.count > 6 && b.matches("-login", at: Int(svc.hi) - 6)
        if !isLogin, pEnd < Int(svc.hi), b[pEnd] == 40, let close = b.find(41, from: pEnd, to: Int(svc.hi)) {
            e.user = Span(pEnd + 1, close)   // imap(alice)<pid><session>
        }
        e.statusMessage = Span(i, end)
        if isLogin {
            if b.matches("Login: ", at: i) {
                e.kind = .authSuccess
                fields(b, i + 7, &e)
                return
            }
            if let af = b.find("(auth failed, ", from: i, to: min(end, i + 80)) {
                e.kind = .saslFailure
                let n0 = af + 14
                e.n1 = b.int(Span(n0, b.tokenEnd(n0))) ?? 1
                if let colon = b.find("): ", from: af) { fields(b, colon + 3, &e) }
                e.word = Span(i, af > i ? af - 1 : i)
                return
            }
            if b.matches("Disconnected", at: i) || b.matches("Aborted login", at: i) || b.matches("Login aborted", at: i) {
                e.kind = .disconnect
                if let colon = b.find("): ", from: i) { fields(b, colon + 3, &e) }
                if let open = b.find(" (", from: i), let close = b.find(41, from: open) { e.word = Span(open + 2, close) }
                return
            }
            return
        }
        if b.matches("Disconnected: ", at: i) || b.matches("Disconnected ", at: i) {
            e.kind = .disconnect
            e.word = Span(i + 14 <= end ? i + 14 : end, b.find(" in=", from: i) ?? end)
            return
        }
        // lmtp(pid): … msgid=<…>: saved mail to INBOX
        if b.equals(e.proto, "lmtp"), let saved = b.find(": saved mail to ", from: i) {
            e.kind = .delivery
            e.status = .sent
            e.response = Span(saved + 2, end)
            return
        }
        // auth: passwd-file(user,ip,<session>): unknown user / Password mismatch
        if b.equals(e.proto, "auth") {
            if let open = b.find(40, from: i, to: min(end, i + 40)), let close = b.find("): ", from: open) {
                let inner = Span(open + 1, close)
                if let c1 = b.find(44, from: Int(inner.lo), to: Int(inner.hi)) {
                    e.user = Span(Int(inner.lo), c1)
                    let c2 = b.find(44, from: c1 + 1, to: Int(inner.hi)) ?? Int(inner.hi)
                    e.clientIP = Span(c1 + 1, c2)
                }
                e.statusMessage = Span(close + 3, end)
                e.kind = .notice
            }
            return
        }
        if e.level.isSet, !b.matches("Info", at: Int(e.level.lo)) { e.kind = .warning }
    }

    /// `user=<alice>, method=PLAIN, rip=192.0.2.7, lip=192.0.2.1, mpid=42, TLS, session=<…>`
    static func fields(_ b: LineBytes, _ lo: Int, _ e: inout MailEvent) {
        let end = b.count
        var i = lo
        e.keyValues = Span(lo, end)
        while i < end {
            var tEnd: Int
            var v: Span = .none
            let eq = b.find(61, from: i, to: b.find(44, from: i) ?? end)
            if let eq, eq + 1 < end, b[eq + 1] == 60 {
                let close = b.find(62, from: eq + 2) ?? end
                v = Span(eq + 2, close)
                tEnd = min(close + 1, end)
            } else {
                tEnd = b.find(44, from: i) ?? end
                if let eq { v = Span(eq + 1, tEnd) }
            }
            let key = Span(i, eq ?? tEnd)
            if b.equals(key, "user") { e.user = v }
            else if b.equals(key, "method") { e.method = v }
            else if b.equals(key, "rip") { e.clientIP = v }
            else if b.equals(key, "lip") { e.serverIP = v }
            else if b.equals(key, "TLS") || b.equals(key, "secured") { e.tlsTrust = key }
            else if b.equals(key, "session") { e.queueID = v }
            i = tEnd
            while i < end, b[i] == 44 || b[i] == 32 { i += 1 }
        }
    }
}
