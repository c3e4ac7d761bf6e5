/// `journalctl -o json` exports: one JSON object (RFC 8259) per line. The fields mxray needs are
/// `__REALTIME_TIMESTAMP` (µs since the epoch, as a string), `_HOSTNAME`, `SYSLOG_IDENTIFIER`
/// (or `_COMM`), `SYSLOG_PID` (or `_PID`) and `MESSAGE` (a string, or an array of bytes when the
/// message was not UTF-8). The decoder rebuilds a syslog-shaped line `HOST PROGRAM[PID]: MESSAGE`
/// in its scratch buffer so that the Postfix and Dovecot decoders run on it unchanged.
public struct JournalDecoder: Sendable {
    public private(set) var scratch: [UInt8] = []
    public init() {}

    enum Key { case time, host, ident, comm, syslogPID, pid, message, other }

    /// Builds the synthetic line; returns the time, the index of the program in `scratch` and
    /// whether a host was present, or nil when the line is not a journal JSON object.
    public mutating func rebuild(_ b: LineBytes) -> (time: Int64, programAt: Int, hostEnd: Int)? {
        var i = b.skipSpaces(0)
        guard i < b.count, b[i] == 123 else { return nil }
        i += 1
        var time: Int64 = 0
        var host: Span = .none, ident: Span = .none, comm: Span = .none, spid: Span = .none, pid: Span = .none
        var message: Span = .none
        var messageBytes: [UInt8]? = nil
        var depthGuard = 0
        while i < b.count, depthGuard < 4096 {
            depthGuard += 1
            i = skipWS(b, i)
            guard i < b.count else { return nil }
            if b[i] == 125 { break }
            if b[i] == 44 { i += 1; continue }
            guard b[i] == 34, let kEnd = stringEnd(b, i + 1) else { return nil }
            let key = Span(i + 1, kEnd)
            i = skipWS(b, kEnd + 1)
            guard i < b.count, b[i] == 58 else { return nil }
            i = skipWS(b, i + 1)
            guard i < b.count else { return nil }
            let k: Key = b.equals(key, "__REALTIME_TIMESTAMP") ? .time : b.equals(key, "_HOSTNAME") ? .host
                : b.equals(key, "SYSLOG_IDENTIFIER") ? .ident : b.equals(key, "_COMM") ? .comm
                : b.equals(key, "SYSLOG_PID") ? .syslogPID : b.equals(key, "_PID") ? .pid
                : b.equals(key, "MESSAGE") ? .message : .other
            if b[i] == 34 {
                guard let vEnd = stringEnd(b, i + 1) else { return nil }
                let v = Span(i + 1, vEnd)
                switch k {
                case .time: time = b.int(v) ?? 0
                case .host: host = v
                case .ident: ident = v
                case .comm: comm = v
                case .syslogPID: spid = v
                case .pid: pid = v
                case .message: message = v
                case .other: break
                }
                i = vEnd + 1
            } else if b[i] == 91 {
                guard let close = b.find(93, from: i) else { return nil }
                if k == .message {
                    var bytes: [UInt8] = []
                    var n = 0, has = false
                    for j in (i + 1)..<close {
                        let c = b[j]
                        if isDigit(c) { n = n * 10 + Int(c - 48); has = true; if n > 255 { return nil } }
                        else if has { bytes.append(UInt8(n)); n = 0; has = false }
                    }
                    if has { bytes.append(UInt8(n)) }
                    messageBytes = bytes
                }
                i = close + 1
            } else {
                while i < b.count, b[i] != 44, b[i] != 125 { i += 1 }
            }
        }
        scratch.removeAll(keepingCapacity: true)
        var hostEnd = 0
        if host.isSet { appendUnescaped(b, host); hostEnd = scratch.count; scratch.append(32) }
        let programAt = scratch.count
        let prog = ident.isSet ? ident : comm
        guard prog.isSet else { return nil }
        appendUnescaped(b, prog)
        let p = spid.isSet ? spid : pid
        if p.isSet { scratch.append(91); appendUnescaped(b, p); scratch.append(93) }
        scratch.append(58); scratch.append(32)
        if let messageBytes { scratch.append(contentsOf: messageBytes.filter { $0 != 10 && $0 != 13 }) }
        else if message.isSet { appendUnescaped(b, message) }
        return (time, programAt, hostEnd)
    }

    @inlinable func skipWS(_ b: LineBytes, _ i: Int) -> Int {
        var j = i
        while j < b.count, b[j] == 32 || b[j] == 9 || b[j] == 13 { j += 1 }
        return j
    }

    /// Index of the closing quote of a JSON string whose content starts at `i`.
    func stringEnd(_ b: LineBytes, _ i: Int) -> Int? {
        var j = i
        while j < b.count {
            let c = b[j]
            if c == 92 { j += 2; continue }
            if c == 34 { return j }
            j += 1
        }
        return nil
    }

    /// Appends a JSON string's content to `scratch`, resolving escapes (RFC 8259 §7); newlines
    /// become spaces so the result stays one line.
    mutating func appendUnescaped(_ b: LineBytes, _ s: Span) {
        var j = Int(s.lo)
        let end = Int(s.hi)
        while j < end {
            let c = b[j]
            guard c == 92, j + 1 < end else { scratch.append(c); j += 1; continue }
            let e = b[j + 1]
            j += 2
            switch e {
            case 110, 114, 116: scratch.append(32)      // \n \r \t
            case 98, 102: break
            case 117:                                   // \uXXXX (with surrogate pairs)
                guard j + 4 <= end, var cp = hex4(b, j) else { return }
                j += 4
                if cp >= 0xD800, cp < 0xDC00, j + 6 <= end, b[j] == 92, b[j + 1] == 117, let lo = hex4(b, j + 2), lo >= 0xDC00, lo < 0xE000 {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00); j += 6
                }
                if cp == 10 || cp == 13 { scratch.append(32); continue }
                let scalar = Unicode.Scalar(cp) ?? "\u{FFFD}"
                scratch.append(contentsOf: Array(String(Character(scalar)).utf8))
            default: scratch.append(e)                  // \" \\ \/
            }
        }
    }

    func hex4(_ b: LineBytes, _ i: Int) -> UInt32? {
        var v: UInt32 = 0
        for k in i..<(i + 4) {
            let c = b[k]
            let d: UInt8
            if isDigit(c) { d = c - 48 } else if (c | 0x20) >= 97, (c | 0x20) <= 102 { d = (c | 0x20) - 87 } else { return nil }
            v = v << 4 | UInt32(d)
        }
        return v
    }
}
