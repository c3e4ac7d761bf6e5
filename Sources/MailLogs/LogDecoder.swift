/// Decodes lines of one input (one file or stdin) in one format: detects the format from the
/// first lines unless forced, routes syslog lines by program (Postfix, Dovecot, other), and hands
/// each decoded `MailEvent` with the bytes its spans point into to a callback.
public struct LogDecoder: Sendable {
    public var format: LogFormat
    public var years: YearInference
    var exchange = ExchangeDecoder()
    var journal = JournalDecoder()
    var stamps = SyslogHeader.StampCache()

    public init(format: LogFormat, years: YearInference) {
        self.format = format
        self.years = years
    }

    /// Guesses the format from up to the first 50 non-empty lines of `sample`.
    public static func detect(_ sample: UnsafeBufferPointer<UInt8>) -> LogFormat {
        var votes: [LogFormat: Int] = [:]
        var start = 0
        var lines = 0
        while start < sample.count, lines < 50 {
            var end = start
            while end < sample.count, sample[end] != 10 { end += 1 }
            let line = LineBytes(UnsafeBufferPointer(rebasing: sample[start..<end]))
            start = end + 1
            guard line.count > 0 else { continue }
            lines += 1
            var lo = 0
            if line.count >= 3, line[0] == 0xEF, line[1] == 0xBB, line[2] == 0xBF { lo = 3 }
            if line.matches("#Software: Microsoft Exchange", at: lo) || line.matches("#Fields: date-time", at: lo) { return .exchange }
            if line[lo] == 123, line.find("\"MESSAGE\"", from: lo) != nil || line.find("__REALTIME_TIMESTAMP", from: lo) != nil { votes[.journald, default: 0] += 3; continue }
            if let t = LogTime.rfc3339(line, at: lo), line[lo + 10] == 32 {
                var i = line.skipSpaces(t.end)
                if i < line.count, line[i] == 91, let c = line.find(93, from: i) { i = line.skipSpaces(c + 1) }
                if EximDecoder.messageIDEnd(line, i) != nil || line.find(" rejected ", from: i) != nil || line.matches("SMTP connection", at: i) { votes[.exim, default: 0] += 2; continue }
            }
            var e = MailEvent()
            if SyslogHeader.parse(line, years: YearInference(referenceYear: 2000, referenceMonth: 12), into: &e) != nil {
                if SyslogHeader.isPostfix(line, e) { votes[.postfix, default: 0] += 1 }
                else if DovecotDecoder.isDovecot(line, e) { votes[.dovecot, default: 0] += 1 }
                else { votes[.syslog, default: 0] += 1 }
            }
        }
        let syslogish = (votes[.postfix] ?? 0) + (votes[.dovecot] ?? 0) + (votes[.syslog] ?? 0)
        if let best = votes.max(by: { $0.value < $1.value }) {
            if best.key == .journald || best.key == .exim, best.value >= syslogish { return best.key }
        }
        if (votes[.dovecot] ?? 0) > 0, (votes[.postfix] ?? 0) == 0 { return .dovecot }
        return .postfix
    }

    /// Decodes one line (without its newline) and calls `sink` once (also for unknown lines,
    /// with `kind == .unknown`; empty lines are skipped).
    public mutating func decode(_ line: LineBytes, _ sink: (inout MailEvent, LineBytes) -> Void) {
        guard line.count > 0 else { return }
        var e = MailEvent()
        switch format {
        case .postfix, .dovecot, .syslog:
            guard SyslogHeader.parse(line, years: years, into: &e, cache: &stamps) != nil else { sink(&e, line); return }
            route(line, &e)
            sink(&e, line)
        case .exim:
            EximDecoder.decode(line, into: &e)
            sink(&e, line)
        case .exchange:
            exchange.decode(line, into: &e)
            if e.kind != .notice || !(line.count > 0 && (line[0] == 35 || line[0] == 0xEF)) { sink(&e, line) }
        case .journald:
            guard let r = journal.rebuild(line) else { sink(&e, line); return }
            e.time = r.time
            let scratch = journal.scratch
            scratch.withUnsafeBufferPointer { buf in
                let b = LineBytes(buf)
                if r.hostEnd > 0 { e.host = Span(0, r.hostEnd) }
                guard SyslogHeader.program(b, from: r.programAt, into: &e) != nil else { sink(&e, b); return }
                route(b, &e)
                sink(&e, b)
            }
        }
    }

    func route(_ b: LineBytes, _ e: inout MailEvent) {
        if SyslogHeader.isPostfix(b, e) { PostfixDecoder.decode(b, into: &e) }
        else if DovecotDecoder.isDovecot(b, e) { DovecotDecoder.decode(b, into: &e) }
    }
}
