/// The syslog prefix shared by Postfix, Dovecot and most daemons:
///
///     Nov 29 16:10:39 mx1 postfix/smtpd[4242]: connect from …        (RFC 3164 style)
///     2026-11-29T16:10:39.123456+01:00 mx1 postfix/smtpd[4242]: …     (RFC 5424 / rsyslog high precision)
///     Nov 29 16:10:39 imap-login: Info: Login: …                        (Dovecot's own log_path, no host)
///
/// `parse` fills time, host, program, pid and returns the index where the message starts.
public enum SyslogHeader {
    /// The last plain `Mmm dd hh:mm:ss ` stamp and its time: consecutive lines mostly share it.
    public struct StampCache: Sendable {
        var a: UInt64 = 0, b: UInt64 = 0
        var time: Int64 = 0
        var valid = false
        public init() {}
    }

    public static func parse(_ b: LineBytes, years: YearInference, into e: inout MailEvent) -> Int? {
        var cache = StampCache()
        return parse(b, years: years, into: &e, cache: &cache)
    }

    /// As `parse(_:years:into:)`, reusing the time of the previous line when its first 16 bytes
    /// (a traditional stamp and the space after it) are the same.
    public static func parse(_ b: LineBytes, years: YearInference, into e: inout MailEvent, cache: inout StampCache) -> Int? {
        guard b.count > 16 else { return nil }
        var i: Int
        if isDigit(b[0]) {
            guard let t = LogTime.rfc3339(b, at: 0) else { return nil }
            e.time = t.micros
            i = t.end
        } else {
            let raw = UnsafeRawPointer(b.base.baseAddress!)
            let w0 = raw.loadUnaligned(as: UInt64.self), w1 = raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
            if cache.valid, w0 == cache.a, w1 == cache.b {
                e.time = cache.time
                i = 15
            } else {
                guard let t = LogTime.syslog(b, at: 0) else { return nil }
                e.time = years.micros(month: t.month, day: t.day, secondOfDay: t.secondOfDay)
                i = t.end
                cache.valid = i == 15 && b[15] == 32
                cache.a = w0; cache.b = w1; cache.time = e.time
            }
        }
        guard i < b.count, b[i] == 32 else { return nil }
        i += 1
        // Token 1: a host, or (no host) the program itself ending in ':' or '[pid]:'.
        let t1End = b.tokenEnd(i)
        guard t1End > i else { return nil }
        if b[t1End - 1] == 58 /* : */ || (b.find(91, from: i, to: t1End) != nil && b[t1End - 1] == 58) {
            return program(b, from: i, into: &e)
        }
        e.host = Span(i, t1End)
        guard t1End + 1 < b.count else { return nil }
        return program(b, from: t1End + 1, into: &e)
    }

    /// Parses `name[pid]: ` or `name: ` at `i`; returns the message start.
    static func program(_ b: LineBytes, from i: Int, into e: inout MailEvent) -> Int? {
        var j = i
        while j < b.count {
            let c = b[j]
            if c == 91 || c == 58 || c == 32 { break }
            j += 1
        }
        guard j > i, j < b.count else { return nil }
        e.program = Span(i, j)
        if b[j] == 91 {
            var pid: Int32 = 0
            j += 1
            while j < b.count, isDigit(b[j]) { pid = pid &* 10 &+ Int32(b[j] - 48); j += 1 }
            guard j < b.count, b[j] == 93 else { return nil }
            e.pid = pid
            j += 1
        }
        guard j < b.count, b[j] == 58 else { return nil }
        j += 1
        if j < b.count, b[j] == 32 { j += 1 }
        // Solaris-style "[ID 197553 mail.info] " tag, as pflogsumm strips it.
        if b.matches("[ID ", at: j), let close = b.find(93, from: j) { j = b.skipSpaces(close + 1) }
        e.message = Span(j, b.count)
        splitProgram(b, &e)
        return j
    }

    /// `postfix-in/submission/smtpd` → instance `postfix-in`, service `submission`, daemon `smtpd`.
    static func splitProgram(_ b: LineBytes, _ e: inout MailEvent) {
        let lo = Int(e.program.lo), hi = Int(e.program.hi)
        guard let firstSlash = b.find(47, from: lo, to: hi) else { e.daemon = e.program; return }
        let lastSlash = b.findLast(47, from: lo, to: hi) ?? firstSlash
        e.daemon = Span(lastSlash + 1, hi)
        if !(firstSlash - lo == 7 && b.matches("postfix", at: lo)) { e.instance = Span(lo, firstSlash) }
        if lastSlash > firstSlash { e.service = Span(firstSlash + 1, lastSlash) }
    }

    /// True when the program is a Postfix one (`postfix/…`, `postfix-<instance>/…`, `postfix-script`).
    @inlinable public static func isPostfix(_ b: LineBytes, _ e: MailEvent) -> Bool {
        e.program.count >= 7 && b.matches("postfix", at: Int(e.program.lo))
    }
}
