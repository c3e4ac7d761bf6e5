/// The mail systems whose logs mxray reads.
public enum LogFormat: String, Sendable, CaseIterable, Codable {
    case postfix, exim, dovecot, exchange, journald
    /// A syslog file may mix Postfix and Dovecot (and others): each line is routed by its program.
    case syslog
}

/// One decoded log line, whatever the MTA: the common model every decoder fills.
///
/// Text fields are `Span`s into the line (see `LineBytes`), numbers are parsed. A decoder
/// sets what its line carries and leaves the rest unset. The struct is reused line after line
/// (`reset()`), so decoding allocates nothing.
public struct MailEvent {
    public enum Source: UInt8, Sendable { case postfix, exim, dovecot, exchange, other }

    public enum Kind: UInt8, Sendable, CaseIterable {
        case unknown            // fits no known shape (counted by program, sampled)
        case connect            // smtpd/postscreen/tlsproxy connect
        case disconnect         // smtpd disconnect (with Postfix 3.x command counters)
        case lostConnection     // "lost connection|timeout|… after STAGE from host[ip]"
        case received           // a message entered the system: smtpd client=, pickup, Exim <=, Exchange RECEIVE
        case queued             // qmgr from=<…>, size=…, nrcpt=… (queue active)
        case delivery           // a delivery attempt with status= (sent, deferred, bounced, expired…)
        case reject             // an SMTP-time or content reject / reject_warning / hold / discard / filter
        case removed            // qmgr removed
        case expired            // qmgr from=<>, status=expired, returned to sender
        case messageID          // cleanup message-id=
        case cleanupAction      // cleanup header/body info/warning/prepend/replace/redirect (non-reject)
        case tlsEstablished     // "… TLS connection established from|to …"
        case tlsError           // SSL_accept / SSL_connect error, certificate verification failed
        case saslFailure        // "SASL LOGIN authentication failed" (smtpd) or Dovecot auth failure
        case authSuccess        // Dovecot Login / Postfix client= with sasl_username
        case postscreen         // postscreen actions: PASS NEW/OLD, DNSBL rank, PREGREET, HANGUP, …
        case connectFailure     // smtp "connect to host[ip]:port: reason"
        case remoteReply        // smtp "host X said: …" / "refused to talk to me" / "lost connection with"
        case bounceNotice       // bounce "sender non-delivery notification: QID"
        case proxy              // smtpd proxy-accept / proxy-reject (before-queue filter)
        case statistics         // anvil / scache / postscreen & verify cache statistics
        case master             // master daemon started / reload / terminating
        case postsuper          // postsuper per-message and summary actions
        case dnsbl              // dnsblog "addr … listed by domain …"
        case warning            // warning/fatal/panic/error with free text
        case notice             // a known but uninteresting line (pickup of local, skipped, …)
    }

    public enum Status: UInt8, Sendable { case none, sent, deferred, bounced, expired, undeliverable, deliverable, other }

    public enum Action: UInt8, Sendable {
        case none, reject, rejectWarning, hold, discard, filter, redirect, warning, info, prepend, replace, header, other
    }

    public var kind: Kind = .unknown
    public var source: Source = .other
    public var time: Int64 = 0              // µs since the epoch, 0 when unknown
    public var host: Span = .none           // syslog host
    public var program: Span = .none        // "postfix-in/submission/smtpd"
    public var daemon: Span = .none         // "smtpd"
    public var service: Span = .none        // "submission" (master.cf service name), when logged
    public var instance: Span = .none       // "postfix-in", when not "postfix"
    public var pid: Int32 = 0
    public var message: Span = .none        // the text after "program[pid]: "
    public var level: Span = .none          // warning, fatal, panic, error, info
    public var queueID: Span = .none        // incl. "NOQUEUE"

    public var clientHost: Span = .none
    public var clientIP: Span = .none
    public var clientPort: Int32 = -1
    public var serverIP: Span = .none
    public var serverPort: Int32 = -1
    public var relayHost: Span = .none
    public var relayIP: Span = .none
    public var relayPort: Int32 = -1
    public var relayService: Span = .none   // "private/dovecot-lmtp" in relay=host[private/dovecot-lmtp]
    public var relay: Span = .none          // the whole relay= value

    public var from: Span = .none
    public var to: Span = .none
    public var origTo: Span = .none
    public var helo: Span = .none
    public var proto: Span = .none
    public var messageIDValue: Span = .none
    public var user: Span = .none           // SASL / IMAP user
    public var method: Span = .none         // SASL method
    public var size: Int64 = -1
    public var nrcpt: Int32 = -1

    public var status: Status = .none
    public var statusText: Span = .none     // "sent", "undeliverable-but-not-cached"
    public var dsn: Span = .none
    public var delay: Double = -1
    public var delays: (Double, Double, Double, Double) = (-1, -1, -1, -1)
    public var response: Span = .none       // text in parentheses after status=, or the reply text
    public var replyCode: Int16 = 0
    public var enhancedCode: Span = .none
    public var tlsPolicy: Span = .none      // tls= field of deliveries (Postfix 3.10+)
    public var forwardedAs: Span = .none    // "forwarded as QID" / "queued as QID" in a response

    public var action: Action = .none
    public var actionText: Span = .none     // "reject", "milter-reject", "header-redirect", …
    public var stage: Span = .none          // RCPT, MAIL, CONNECT, END-OF-MESSAGE, "RCPT TO", …
    public var statusData: Span = .none     // <address> or [host] in a reject
    public var statusMessage: Span = .none  // the reason text
    public var keyValues: Span = .none      // "from=<…> to=<…> proto=… helo=<…>" etc.
    public var extra: Span = .none          // kind-specific tail (milter data, postscreen/prepend detail)
    public var trigger: Span = .none        // the header/body text that triggered a cleanup action

    public var tlsTrust: Span = .none
    public var tlsVersion: Span = .none
    public var tlsCipher: Span = .none
    public var tlsBits: Span = .none
    public var tlsKeyExchange: Span = .none
    public var tlsSignature: Span = .none
    public var tlsSignatureCurve: Span = .none
    public var tlsSignatureBits: Span = .none
    public var tlsDigest: Span = .none

    public var counters: Span = .none       // Postfix 3.x "ehlo=1 mail=1 … commands=5/7"
    public var n1: Int64 = -1               // kind-specific numbers, documented where set
    public var n2: Int64 = -1
    public var n3: Int64 = -1
    public var word: Span = .none           // kind-specific keyword (postscreen action, anvil period, …)

    public init() {}
    @inlinable public mutating func reset() { self = MailEvent() }
}

/// Postfix 3.x per-session command counters: `ehlo=2 starttls=1 rcpt=0/1 commands=5/7`.
/// Each item is `name=total` or `name=accepted/total`.
public struct CommandCounter: Sendable, Equatable {
    public var name: String
    public var accepted: Int
    public var total: Int
    public static func parse(_ b: LineBytes, _ s: Span) -> [CommandCounter] {
        guard s.isSet else { return [] }
        var out: [CommandCounter] = []
        var i = Int(s.lo)
        let end = Int(s.hi)
        while i < end {
            let tokEnd = b.find(32, from: i, to: end) ?? end
            if let eq = b.find(61, from: i, to: tokEnd) {
                let name = b.string(Span(i, eq))
                if let slash = b.find(47, from: eq + 1, to: tokEnd) {
                    if let a = b.int(Span(eq + 1, slash)), let t = b.int(Span(slash + 1, tokEnd)) {
                        out.append(.init(name: name, accepted: Int(a), total: Int(t)))
                    }
                } else if let t = b.int(Span(eq + 1, tokEnd)) {
                    out.append(.init(name: name, accepted: Int(t), total: Int(t)))
                }
            }
            i = tokEnd + 1
        }
        return out
    }
}

/// Postfix 3.10 `tls=` delivery field: `level[?][:downgrade][/[!]requiretls[?][:downgrade]]`.
public struct TLSFeatures: Sendable, Equatable {
    public var securityLevel = ""
    public var policyUndecided = false
    public var downgrade: String? = nil
    public var requireTLS = false
    public var requireTLSUndecided = false
    public var requireTLSViolation = false
    public var requireTLSDowngrade: String? = nil

    public init(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1).map(String.init)
        func split(_ p: String) -> (String, String?) {
            if let c = p.firstIndex(of: ":") { return (String(p[..<c]), String(p[p.index(after: c)...])) }
            return (p, nil)
        }
        if let first = parts.first {
            var (lvl, dg) = split(first)
            if lvl.hasSuffix("?") { policyUndecided = true; lvl.removeLast() }
            securityLevel = lvl
            downgrade = dg
        }
        if parts.count > 1 {
            var (rt, dg) = split(parts[1])
            if rt.hasPrefix("!") { requireTLSViolation = true; rt.removeFirst() }
            if rt.hasSuffix("?") { requireTLSUndecided = true; rt.removeLast() }
            requireTLS = rt == "requiretls"
            requireTLSDowngrade = dg
        }
    }
}
