/// One Received field (RFC 5321 §4.4 Stamp; RFC 5322 §3.6.7): who handed the message to whom,
/// how, and when. Parsed leniently — real MTAs bend the grammar — and never throws: what could
/// not be read is in `problems`.
///
/// ```
/// Stamp = From-domain By-domain Opt-info [CFWS] ";" FWS date-time      (RFC 5321 §4.4)
/// Opt-info = [Via] [With] [ID] [For] [Additional-Registered-Clauses]
/// ```
public struct ReceivedHeader: Sendable, Hashable, Codable {
    /// The name the client gave (HELO/EHLO), or its address literal.
    public var from: String?
    /// The TCP-info comment after `from` (`unknown [127.0.0.1]`, `mx.example.org [192.0.2.1]`).
    public var fromComment: String?
    /// The client's IP address, from the TCP-info comment or an address-literal `from`.
    public var fromAddress: String?
    /// The client's reverse DNS name as the receiver saw it (nil when `unknown` or not stated).
    public var fromReverseName: String?
    /// The receiving host.
    public var by: String?
    public var via: String?
    /// The protocol (RFC 3848 / RFC 5321 §4.4 and the IANA "Mail Transmission Types": SMTP,
    /// ESMTP, ESMTPS, ESMTPA, ESMTPSA, LMTP, UTF8SMTPS, HTTP, local…).
    public var with: String?
    public var id: String?
    /// The envelope recipient, when stated (`for <alice@example.org>`).
    public var forAddress: String?
    /// Every comment, in order, outer parentheses removed.
    public var comments: [String] = []
    /// The date-time after the last ";" outside comments.
    public var date: MailDate?
    /// The text after the last ";", whether or not it parsed.
    public var dateText: String?
    /// What is wrong with the field: missing date, unreadable date, missing `by`…
    public var problems: [String] = []
    /// TLS on this hop as the receiver stated it.
    public var tls: ReceivedTLS
    /// The unfolded value as given to `parse`.
    public var raw: String

    /// True when the protocol (ESMTPA/ESMTPSA, RFC 3848) or a comment says the client authenticated.
    public var authenticated: Bool {
        if let w = with?.uppercased(), w.hasSuffix("A") && (w.hasPrefix("ESMTP") || w.hasPrefix("UTF8SMTP") || w.hasPrefix("LMTP")) { return true }
        return comments.contains { $0.lowercased().hasPrefix("authenticated sender") }
    }
}

/// What a Received field says about TLS on its hop.
public struct ReceivedTLS: Sendable, Hashable, Codable {
    /// true: TLS was used (a TLS comment or a protocol ending in S, RFC 3848); false: the protocol
    /// names plain SMTP/ESMTP/LMTP; nil: not stated (HTTP, local, unknown writers).
    public var used: Bool?
    /// `TLSv1.3`, `TLS1_2`…, as written.
    public var version: String?
    public var cipher: String?
    /// The text the statement came from.
    public var evidence: String?

    public init(used: Bool? = nil, version: String? = nil, cipher: String? = nil, evidence: String? = nil) {
        self.used = used; self.version = version; self.cipher = cipher; self.evidence = evidence
    }
}

extension ReceivedHeader {
    static let keywords: Set<String> = ["from", "by", "via", "with", "id", "for"]
    static let maxLength = 16_384

    /// Parses one unfolded Received value. Never throws.
    public static func parse(_ value: String) -> ReceivedHeader {
        var r = ReceivedHeader(tls: ReceivedTLS(), raw: value)
        var bytes = Array(value.utf8)
        if bytes.count > maxLength { bytes = Array(bytes.prefix(maxLength)); r.problems.append("longer than \(maxLength) bytes; the rest is ignored") }
        // RFC 5322 §3.6.7: the date-time follows the last ";" (outside comments and quotes).
        let semi = lastSemicolon(bytes)
        let stampBytes = semi.map { Array(bytes[..<$0]) } ?? bytes
        if let semi {
            let text = String(decoding: bytes[(semi + 1)...], as: UTF8.self).trimmingFWS()
            r.dateText = text
            if text.isEmpty { r.problems.append("nothing after the last \";\": no date (RFC 5322 §3.6.7)") } else {
                do { r.date = try MailDate.parse(text) } catch { r.problems.append("unreadable date \"\(text)\": \(error.message)") }
            }
        } else {
            r.problems.append("no \";\" and date-time: the receiver did not stamp a time (RFC 5322 §3.6.7)")
        }
        var sc = HeaderScanner(bytes: stampBytes)
        var clause = ""  // the keyword whose value was read last
        var extras: [String] = []
        var guardCount = 0
        while !sc.atEnd, guardCount < 4096 {
            guardCount += 1
            sc.skipCFWS()
            let comments = sc.takeComments()
            r.comments += comments
            if clause == "from", r.fromComment == nil, let c = comments.first { r.fromComment = c }
            if sc.atEnd { break }
            let word = sc.readValue(stops: [])
            if word.isEmpty { sc.i += 1; continue }
            let key = word.lowercased()
            if keywords.contains(key) {
                sc.skipCFWS()
                let cs = sc.takeComments()
                r.comments += cs
                let v = sc.readValue(stops: [])
                clause = key
                switch key {
                case "from": r.from = v
                case "by": r.by = v
                case "via": r.via = v
                case "with": r.with = v
                case "id": r.id = v
                default: r.forAddress = v.trimming("<>")
                }
            } else if clause == "with", key == "tls" || key == "cipher" {
                // Exim: "with esmtps (TLS1.3) tls TLS_AES_256_GCM_SHA384"
                sc.skipCFWS(); r.comments += sc.takeComments()
                r.tls.cipher = sc.readValue(stops: [])
                r.tls.evidence = "tls \(r.tls.cipher ?? "")"
            } else {
                extras.append(word)
            }
        }
        if r.by == nil { r.problems.append("no \"by\" clause: the receiving host is not named (RFC 5321 §4.4)") }
        if !extras.isEmpty, extras.count <= 8 { r.problems.append("words outside any clause: \(extras.joined(separator: " "))") }
        r.analyseFrom()
        r.analyseTLS()
        return r
    }

    static func lastSemicolon(_ b: [UInt8]) -> Int? {
        var depth = 0, quoted = false, last: Int?
        var i = 0
        while i < b.count {
            let c = b[i]
            if c == UInt8(ascii: "\\") { i += 2; continue }
            if quoted { if c == UInt8(ascii: "\"") { quoted = false } } else if c == UInt8(ascii: "\"") { quoted = depth == 0 } else if c == UInt8(ascii: "(") { depth += 1 } else if c == UInt8(ascii: ")") { depth = max(0, depth - 1) } else if c == UInt8(ascii: ";"), depth == 0 { last = i }
            i += 1
        }
        return last
    }

    mutating func analyseFrom() {
        if let f = from, f.hasPrefix("[") { fromAddress = Self.literal(f) }
        guard let c = fromComment else { return }
        if fromAddress == nil, let open = c.firstIndex(of: "["), let close = c[open...].firstIndex(of: "]") {
            fromAddress = Self.literal(String(c[open...close]))
        }
        // Postfix/sendmail: "name [addr]"; "unknown" means no (or no matching) reverse name.
        let first = c.split(whereSeparator: { $0 == " " || $0 == "\t" }).first.map(String.init) ?? ""
        if !first.isEmpty, !first.hasPrefix("["), first.contains("."), !first.contains("="), !first.contains("@"), first.lowercased() != "unknown" {
            fromReverseName = first.hasSuffix(".") ? String(first.dropLast()) : first
        }
    }

    static func literal(_ s: String) -> String? {
        var t = s.trimming("[]")
        if t.lowercased().hasPrefix("ipv6:") { t = String(t.dropFirst(5)) }
        return t.isEmpty ? nil : t
    }

    mutating func analyseTLS() {
        for c in comments {
            let l = c.lowercased()
            // Postfix: "using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) …"
            if l.hasPrefix("using tls") || l.hasPrefix("using ssl") {
                let w = c.split(separator: " ").map(String.init)
                tls.used = true
                tls.version = w.count > 1 ? w[1] : nil
                if let k = w.firstIndex(of: "cipher"), k + 1 < w.count { tls.cipher = w[k + 1] }
                tls.evidence = c
                return
            }
            // sendmail "version=TLSv1.2 cipher=… bits=256 verify=NO"; Exchange/Gmail "version=TLS1_2, cipher=…"
            if l.contains("version=tls") || l.contains("version=ssl") {
                tls.used = true
                for part in c.split(whereSeparator: { $0 == " " || $0 == "," }) {
                    let kv = part.split(separator: "=", maxSplits: 1).map(String.init)
                    guard kv.count == 2 else { continue }
                    if kv[0].lowercased() == "version" { tls.version = kv[1] }
                    if kv[0].lowercased() == "cipher" { tls.cipher = kv[1] }
                }
                tls.evidence = c
                return
            }
            // Exim: "(TLS1.3)" or "(TLS1.2:ECDHE_RSA_AES_256_GCM_SHA384:256)"
            if l.hasPrefix("tls1") || l.hasPrefix("tlsv1") {
                tls.used = true
                let parts = c.split(separator: ":").map(String.init)
                tls.version = parts.first
                if parts.count > 1 { tls.cipher = parts[1] }
                tls.evidence = c
                return
            }
        }
        guard let w = with?.uppercased() else { return }
        // RFC 3848 §1 / RFC 6531 §3.7.3: a trailing "S" (before the "A" of authentication) means TLS.
        let base = w.hasSuffix("SA") ? String(w.dropLast()) : w
        if ["ESMTPS", "UTF8SMTPS", "LMTPS", "UTF8LMTPS"].contains(base) {
            tls.used = true; tls.evidence = "with \(with!)"
        } else if ["SMTP", "ESMTP", "ESMTPA", "LMTP", "UTF8SMTP", "UTF8SMTPA", "LMTPA"].contains(w) {
            tls.used = false; tls.evidence = "with \(with!)"
        }
    }
}

extension String {
    func trimmingFWS() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" || f == "\r\n" || f == "\n" || f == "\r" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\r\n" || l == "\n" || l == "\r" { s = s.dropLast() }
        return String(s)
    }

    func trimming(_ set: String) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s = s.dropFirst() }
        while let l = s.last, set.contains(l) { s = s.dropLast() }
        return String(s)
    }
}
