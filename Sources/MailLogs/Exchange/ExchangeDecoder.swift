/// Exchange message tracking logs (`MSGTRK*.LOG`): CSV whose columns come from each file's
/// `#Fields:` header line (RFC 4180 quoting: `"a,b"` and `""` for a quote), UTF-8 with a BOM.
///
///     #Fields: date-time,client-ip,client-hostname,server-ip,server-hostname,source-context,connector-id,source,event-id,internal-message-id,message-id,network-message-id,recipient-address,recipient-status,total-bytes,recipient-count,…,sender-address,…
///     2026-11-29T16:10:39.123Z,192.0.2.7,mx.example.org,…,SMTP,RECEIVE,4242,<id@x>,…,bob@example.net,250 2.1.5,1234,1,…,alice@example.org,…
///
/// Events map to the common model: RECEIVE (from SMTP or the store) → received, SEND and DELIVER →
/// delivered (once per recipient), FAIL → bounced, DEFER → deferred, DROP → discarded, DSN → notice.
/// Quoted fields are returned without their outer quotes; doubled quotes inside stay doubled.
public struct ExchangeDecoder: Sendable {
    enum Column: Int, CaseIterable {
        case dateTime, clientIP, clientHostname, serverIP, serverHostname, source, eventID, internalID, messageID
        case recipient, recipientStatus, totalBytes, recipientCount, sender, connector
    }
    static let names: [(String, Column)] = [
        ("date-time", .dateTime), ("client-ip", .clientIP), ("client-hostname", .clientHostname),
        ("server-ip", .serverIP), ("server-hostname", .serverHostname), ("source", .source), ("event-id", .eventID),
        ("internal-message-id", .internalID), ("message-id", .messageID), ("recipient-address", .recipient),
        ("recipient-status", .recipientStatus), ("total-bytes", .totalBytes), ("recipient-count", .recipientCount),
        ("sender-address", .sender), ("connector-id", .connector),
    ]

    /// Column index of each known field, -1 when the header lacks it.
    var index = [Int](repeating: -1, count: Column.allCases.count)
    var maxIndex = -1
    public private(set) var hasHeader = false
    private var spans = [Span](repeating: .none, count: 64)

    public init() {}

    /// Reads a `#Fields:` line; other `#` lines are ignored.
    public mutating func header(_ b: LineBytes) {
        var lo = 0
        if b.count >= 3, b[0] == 0xEF, b[1] == 0xBB, b[2] == 0xBF { lo = 3 }
        guard b.matches("#Fields: ", at: lo) else { return }
        let names = String(decoding: UnsafeBufferPointer(rebasing: b.base[(lo + 9)...]), as: UTF8.self)
            .split(separator: ",").map { $0.trimmingSpaces.lowercased() }
        index = [Int](repeating: -1, count: Column.allCases.count)
        for (n, col) in Self.names { if let k = names.firstIndex(of: n) { index[col.rawValue] = k } }
        maxIndex = index.max() ?? -1
        hasHeader = true
    }

    public mutating func decode(_ b: LineBytes, into e: inout MailEvent) {
        e.source = .exchange
        var lo = 0
        if b.count >= 3, b[0] == 0xEF, b[1] == 0xBB, b[2] == 0xBF { lo = 3 }
        if lo < b.count, b[lo] == 35 { header(b); e.kind = .notice; return }
        guard hasHeader else { return }
        let n = split(b, from: lo)
        func col(_ c: Column) -> Span { let k = index[c.rawValue]; return k >= 0 && k < n ? spans[k] : .none }
        let dt = col(.dateTime)
        if dt.isSet, let t = LogTime.rfc3339(b, at: Int(dt.lo)) { e.time = t.micros }
        e.message = Span(lo, b.count)
        e.program = col(.source)
        e.clientIP = col(.clientIP); e.clientHost = col(.clientHostname)
        e.serverIP = col(.serverIP); e.relayHost = col(.serverHostname)
        e.queueID = col(.internalID); e.messageIDValue = col(.messageID)
        e.from = col(.sender); e.to = col(.recipient)
        e.response = col(.recipientStatus)
        if e.response.isSet { PostfixDecoder.parseReplyCodes(b, Int(e.response.lo), Int(e.response.hi), &e) }
        e.size = b.int(col(.totalBytes)) ?? -1
        e.nrcpt = Int32(truncatingIfNeeded: b.int(col(.recipientCount)) ?? 1)
        e.service = col(.connector)
        let ev = col(.eventID)
        e.word = ev
        if b.equals(ev, "RECEIVE") { e.kind = .received }
        else if b.equals(ev, "SEND") || b.equals(ev, "DELIVER") { e.kind = .delivery; e.status = .sent }
        else if b.equals(ev, "FAIL") { e.kind = .delivery; e.status = .bounced }
        else if b.equals(ev, "DEFER") { e.kind = .delivery; e.status = .deferred }
        else if b.equals(ev, "DROP") { e.kind = .reject; e.action = .discard }
        else if ev.isSet { e.kind = .notice }
    }

    /// Splits one CSV record into `spans`; returns the number of fields (at most 64).
    mutating func split(_ b: LineBytes, from lo: Int) -> Int {
        var n = 0, i = lo
        let end = b.count
        while i <= end, n < spans.count {
            if i < end, b[i] == 34 {
                var j = i + 1
                while j < end {
                    if b[j] == 34 { if j + 1 < end, b[j + 1] == 34 { j += 2; continue }; break }
                    j += 1
                }
                spans[n] = Span(i + 1, min(j, end)); n += 1
                i = j + 1
                while i < end, b[i] != 44 { i += 1 }
                i += 1
            } else {
                let j = b.find(44, from: i) ?? end
                spans[n] = Span(i, j); n += 1
                i = j + 1
            }
            if i > end { break }
        }
        return n
    }
}

extension Substring {
    var trimmingSpaces: String {
        var s = self
        while let f = s.first, f == " " || f == "\r" || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\r" || l == "\t" { s.removeLast() }
        return String(s)
    }
}
