/// Why a message was rejected or deferred, from the reply text (classes as an administrator acts on them).
public enum ReasonClass: String, Sendable, Codable, CaseIterable {
    case rbl = "RBL / DNSBL"
    case unknownUser = "unknown user"
    case relayDenied = "relay denied"
    case helo = "HELO"
    case sender = "sender policy"
    case recipient = "recipient policy"
    case clientPolicy = "client policy"
    case size = "size"
    case tls = "TLS"
    case greylisting = "greylisting"
    case milter = "milter / content"
    case timeout = "timeout"
    case connectionLost = "connection lost"
    case connectionRefused = "connection refused"
    case dns = "DNS failure"
    case auth = "authentication"
    case rateLimit = "rate limit"
    case protocolError = "protocol error"
    case other = "other"

    /// Classifies `text` (case-insensitive substring rules, most specific first).
    public static func classify(_ b: LineBytes, _ s: Span, milter: Bool = false, scratch: inout [UInt8]) -> ReasonClass {
        if milter { return .milter }
        let n = min(s.count, 400)
        guard n > 0 else { return .other }
        scratch.removeAll(keepingCapacity: true)
        for i in Int(s.lo)..<(Int(s.lo) + n) { scratch.append(lowerASCII(b[i])) }
        return scratch.withUnsafeBufferPointer { p in
            let t = LineBytes(p)
            func has(_ x: StaticString) -> Bool { t.find(x, from: 0) != nil }
            if has("greylist") { return .greylisting }
            if has("blocked using") || has("listed by") || has("spamhaus") || has(" rbl") || has("blocklist") || has("blacklist") { return .rbl }
            if has("relay access denied") || has("relaying denied") || has("relay not permitted") || has("not permitted to relay") { return .relayDenied }
            if has("user unknown") || has("unknown user") || has("no such user") || has("does not exist") || has("mailbox unavailable") || has("recipient unknown") || has("undeliverable address") { return .unknownUser }
            if has("helo command rejected") || has("helo ") && has("rejected") { return .helo }
            if has("too large") || has("size exceeds") || has("message size") || has("file too big") { return .size }
            if has("tls") || has("starttls") || has("certificate") || has("ssl") { return .tls }
            if has("authentication") || has("sasl") { return .auth }
            if has("rate limit") || has("too many") || has("rate of") { return .rateLimit }
            if has("host not found") || has("domain not found") || has("name service error") || has("host or domain name not found") || has("dns") || has("no mx") || has("nxdomain") { return .dns }
            if has("timed out") || has("timeout") { return .timeout }
            if has("connection refused") { return .connectionRefused }
            if has("lost connection") || has("connection reset") || has("broken pipe") || has("network is unreachable") || has("no route to host") { return .connectionLost }
            if has("sender address rejected") { return .sender }
            if has("recipient address rejected") { return .recipient }
            if has("client host rejected") || has("access denied") { return .clientPolicy }
            if has("protocol error") || has("syntax") || has("pipelining") { return .protocolError }
            if has("spam") || has("virus") || has("content") || has("milter") { return .milter }
            return .other
        }
    }
}
