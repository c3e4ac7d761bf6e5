import DNSWire
import MailAuth
import MailCore

/// Reads one message and builds a `HeaderAnalysis`: the Received path (RFC 5321 §4.4), the
/// Authentication-Results of the receivers (RFC 8601), our own DKIM (RFC 6376) and ARC (RFC
/// 8617) verification with keys from `resolver` (the network, the lab or supplied records), and
/// findings. Pure: no clock, no sockets; I/O only through `DNSResolver`.
public struct HeaderAnalyzer: Sendable {
    public let resolver: any DNSResolver
    /// Says where keys come from, for the report (`resolver 127.0.10.54:53`, `supplied keys`).
    public var keySource: String
    /// A hop slower than this (seconds) is reported (`headers.hop.slow`).
    public var slowHopSeconds = 300
    /// A negative delay larger than this (seconds) is a clock problem rather than rounding.
    public var skewToleranceSeconds = 2
    /// At most this many DKIM signatures are verified (one DNS query each).
    static let maxSignatures = 20

    public init(resolver: any DNSResolver, keySource: String) {
        self.resolver = resolver
        self.keySource = keySource
    }

    public func analyze(message: [UInt8]) async throws(MessageParseError) -> HeaderAnalysis {
        let header = try MessageHeader.parse(message)
        var a = HeaderAnalysis(
            subject: header["Subject"]?.value, from: header["From"]?.value, messageID: header["Message-ID"]?.value,
            date: header["Date"]?.value, dateUTC: header.date?.iso8601, hops: [], timing: .init(), verdicts: [], dkim: [],
            arc: ARCValidation(status: .none), spamFilter: [], explanations: [], findings: [], evidence: [],
            problems: header.problems, keySource: keySource)
        analyzePath(header, into: &a)
        analyzeVerdicts(header, into: &a)
        // Our own checks, independent of what the receivers wrote.
        // Bounded: each signature costs a DNS query; a message with dozens is hostile, not mail.
        let signatures = header.fields(named: "DKIM-Signature").count
        var dkim: [DKIMVerification] = []
        if signatures <= Self.maxSignatures {
            dkim = await DKIMVerifier(resolver: resolver).verify(message: message)
        } else {
            a.problems.append("\(signatures) DKIM-Signature fields (more than \(Self.maxSignatures)): our DKIM verification was skipped")
        }
        a.dkim = dkim.map { .init(domain: $0.domain, selector: $0.selector, algorithm: $0.algorithm, result: $0.result.rawValue, reason: $0.reason, keySize: $0.keySize) }
        a.arc = await ARCValidator(resolver: resolver).validate(message: message)
        explain(header, into: &a)
        raiseFindings(header, into: &a)
        return a
    }

    /// The hops in travel order, their delays and clocks, and where the time went.
    func analyzePath(_ header: MessageHeader, into a: inout HeaderAnalysis) {
        let fields = Array(header.fields(named: "Received").reversed())
        let origin = header.date
        if header["Date"] != nil, origin == nil {
            a.problems.append("the Date field \"\(header["Date"]!.value)\" does not parse (RFC 5322 §3.3)")
        }
        var lastTime = origin?.epochSeconds
        var lastWhat = "the Date field"
        for (k, f) in fields.enumerated() {
            let r = ReceivedHeader.parse(f.value)
            let evidenceID = "hop-\(k + 1)"
            var hop = HeaderAnalysis.Hop(
                number: k + 1, from: r.from, fromAddress: r.fromAddress, fromReverseName: r.fromReverseName, by: r.by,
                with: r.with, id: r.id, forAddress: r.forAddress, tls: r.tls, authenticated: r.authenticated,
                date: r.date?.iso8601, dateText: r.dateText, epochSeconds: r.date?.epochSeconds, offsetMinutes: r.date?.offsetMinutes,
                delaySeconds: nil, side: "sender", problems: r.problems, evidenceID: evidenceID)
            if let t = r.date?.epochSeconds {
                if let last = lastTime {
                    hop.delaySeconds = t - last
                    if t - last < -skewToleranceSeconds {
                        hop.problems.append("stamped \(last - t) s before \(lastWhat): the clock of \(r.by ?? "this host") is behind, or the previous one is ahead")
                    }
                }
                lastTime = t
                lastWhat = "hop \(k + 1)"
            }
            a.hops.append(hop)
            a.evidence.append(Evidence(id: evidenceID, kind: .note, title: "Received field \(k + 1) of \(fields.count) (line \(f.line))",
                                       lines: f.raw.split(separator: "\r\n", omittingEmptySubsequences: false).map(String.init)))
        }
        // The receiving organisation: the newest hops whose "by" shares the last hop's domain.
        if let lastBy = a.hops.last?.by.map(Self.organisation) {
            for k in a.hops.indices.reversed() {
                guard a.hops[k].by.map(Self.organisation) == lastBy else { break }
                a.hops[k].side = "receiver"
            }
        }
        var t = HeaderAnalysis.Timing()
        let dated = a.hops.filter { $0.epochSeconds != nil }
        if let first = dated.first?.epochSeconds {
            if let o = origin?.epochSeconds { t.beforeSenderServer = first - o }
            if let r = a.hops.first(where: { $0.side == "receiver" }), let rt = r.epochSeconds { t.inTransit = rt - first }
            let receiverHops = dated.filter { $0.side == "receiver" }
            if let rf = receiverHops.first?.epochSeconds, let rl = receiverHops.last?.epochSeconds { t.atReceiver = rl - rf }
            if let o = origin?.epochSeconds, let l = dated.last?.epochSeconds { t.total = l - o }
        }
        let stages = [("before the sender's server (the author's program or its queue)", t.beforeSenderServer),
                      ("in transit between the sender's and the receiver's servers", t.inTransit),
                      ("at the receiver (its relays, filters and delivery)", t.atReceiver)]
        if let best = stages.compactMap({ s in s.1.map { (s.0, $0) } }).max(by: { $0.1 < $1.1 }), best.1 > 0 {
            t.slowest = "\(Self.duration(best.1)) \(best.0)"
        }
        a.timing = t
    }

    /// `mx1.mail.example.co.uk` → `example.co.uk`; a heuristic (no Public Suffix List here):
    /// the last two labels, three when the second-last is a short generic label (co, com, ac…).
    static func organisation(_ host: String) -> String {
        let labels = host.lowercased().split(separator: ".").map(String.init)
        guard labels.count > 2 else { return labels.joined(separator: ".") }
        let n = labels[labels.count - 2].count <= 3 && labels.last!.count == 2 ? 3 : 2
        return labels.suffix(n).joined(separator: ".")
    }

    /// `3 s`, `4 min 12 s`, `2 h 5 min`, `-7 s`.
    public static func duration(_ s: Int) -> String {
        let sign = s < 0 ? "-" : ""
        let v = abs(s)
        if v < 60 { return "\(sign)\(v) s" }
        if v < 3600 { return "\(sign)\(v / 60) min \(v % 60) s" }
        if v < 86_400 { return "\(sign)\(v / 3600) h \(v % 3600 / 60) min" }
        return "\(sign)\(v / 86_400) d \(v % 86_400 / 3600) h"
    }
}
