/// Per-minute series of what a mail admin watches, built from `MailEvent`s: the input of the
/// anomaly detectors (which live in TimeSeries; the wiring is in Reporting/CLI).
public struct MailSeries: Sendable, Codable {
    public enum Name: String, Sendable, Codable, CaseIterable {
        /// smtpd connections accepted.
        case connections
        /// SMTP-time and content rejects (action `reject`).
        case rejects
        /// Replies with a 4xx / 5xx code (rejects and delivery attempts: reply code, else the DSN class).
        case replies4xx = "4xx replies"
        case replies5xx = "5xx replies"
        /// Delivery attempts that ended `status=deferred`.
        case deferrals
        /// Failed SMTP AUTH / IMAP / POP3 logins (Dovecot's "N attempts" count N).
        case authFailures = "auth failures"
        /// Messages that entered the queue and were not yet removed, at the end of the minute
        /// (a proxy for the queue size: messages queued before the log began are not known).
        case queue = "queue size"

        public var column: Int { Name.allCases.firstIndex(of: self)! }
    }

    /// Minutes since the epoch of `values[*][0]`.
    public var firstMinute: Int64 = 0
    /// One array per name, one value per minute from `firstMinute` on (minutes with no lines are 0,
    /// the queue size carries over).
    public var values: [Name: [Double]] = [:]
    /// The first raw lines behind each (name, minute) with a non-zero count, keyed `minute * 8 + column`;
    /// for the queue size, the latest deferrals (within the hour) when it changed.
    public var evidence: [Int64: [String]] = [:]

    public init() {}

    public var minutes: Int { values[.connections]?.count ?? 0 }

    /// The raw lines behind `name` in `minute` (minutes since the epoch).
    public func lines(_ name: Name, minute: Int64) -> [String] { evidence[minute * 8 + Int64(name.column)] ?? [] }
}

/// Counts `MailEvent`s into per-minute series, in bounded memory (at most `maxMinutes` distinct
/// minutes of counts, `evidencePerMinute` lines per series and minute, `maxQueueIDs` queue ids).
public struct MailSeriesCollector: Sendable {
    public var evidencePerMinute = 3
    public var maxMinutes = 62 * 1440
    public var maxQueueIDs = 500_000
    public var maxEvidenceKeys = 50_000
    /// Only lines at or after / before these instants (µs since the epoch), as `AggregatorOptions`.
    public var since: Int64? = nil
    public var until: Int64? = nil

    var counts: [Int64: [Double]] = [:]
    var queueAtMinute: [Int64: Double] = [:]
    var evidence: [Int64: [String]] = [:]
    var inQueue = Set<QueueKey>()
    /// The latest deferrals (time, line): the evidence for a queue that grows in a minute without any.
    var recentDeferrals: [(Int64, String)] = []

    public init() {}

    @inline(__always) mutating func bump(_ name: MailSeries.Name, _ t: Int64, _ b: LineBytes, by n: Double = 1) {
        guard t > 0 else { return }
        let m = t / LogTime.microsPerSecond / 60
        if counts[m] == nil {
            guard counts.count < maxMinutes else { return }
            counts[m] = [Double](repeating: 0, count: 8)
        }
        counts[m]![name.column] += n
        addEvidence(m * 8 + Int64(name.column), b.text)
    }

    mutating func addEvidence(_ key: Int64, _ line: String) {
        if let lines = evidence[key] {
            if lines.count < evidencePerMinute { evidence[key]!.append(line) }
        } else if evidence.count < maxEvidenceKeys {
            evidence[key] = [line]
        }
    }

    mutating func queueChanged(_ t: Int64, _ b: LineBytes) {
        guard t > 0 else { return }
        let m = t / LogTime.microsPerSecond / 60
        queueAtMinute[m] = Double(inQueue.count)
        if counts[m] == nil, counts.count < maxMinutes { counts[m] = [Double](repeating: 0, count: 8) }
        // Why the queue moved: the deferrals of the last hour explain a growing queue best.
        let key = m * 8 + Int64(MailSeries.Name.queue.column)
        if evidence[key] == nil, evidence.count < maxEvidenceKeys {
            let recent = recentDeferrals.filter { t - $0.0 < 3600 * LogTime.microsPerSecond }.map(\.1)
            if !recent.isEmpty { evidence[key] = recent }
        }
    }

    /// The reply class (4 or 5) of a reject or delivery: its SMTP code, else the first digit of its DSN.
    @inline(__always) func replyClass(_ e: MailEvent, _ b: LineBytes) -> Int {
        if e.replyCode >= 400, e.replyCode < 600 { return Int(e.replyCode) / 100 }
        let d = e.dsn.isSet ? e.dsn : e.enhancedCode
        if d.count > 0 { let c = b[Int(d.lo)]; if c == 52 { return 4 }; if c == 53 { return 5 } }
        return 0
    }

    public mutating func consume(_ e: inout MailEvent, _ b: LineBytes) {
        let t = e.time
        if let s = since, t < s { return }
        if let u = until, t >= u { return }
        switch e.kind {
        case .connect:
            if e.source == .postfix, b.equals(e.daemon, "smtpd") { bump(.connections, t, b) }
        case .reject:
            if e.action == .reject { bump(.rejects, t, b) }
            countReply(e, b)
        case .delivery:
            guard e.source != .dovecot else { return }   // Dovecot's side of an LMTP delivery Postfix already logged
            if e.status == .deferred {
                bump(.deferrals, t, b)
                if t > 0 { addEvidence(t / LogTime.microsPerSecond / 60 * 8 + Int64(MailSeries.Name.queue.column), b.text) }
                recentDeferrals.append((t, b.text))
                if recentDeferrals.count > evidencePerMinute { recentDeferrals.removeFirst() }
            }
            countReply(e, b)
        case .saslFailure:
            if e.source == .postfix, e.relayHost.isSet { return }   // our own client failing at a remote server
            bump(.authFailures, t, b, by: Double(max(e.n1, 1)))
        case .received:
            guard e.source == .postfix, e.queueID.isSet, !b.equals(e.queueID, "NOQUEUE"), inQueue.count < maxQueueIDs else { return }
            if inQueue.insert(QueueKey(b, e.queueID)).inserted { queueChanged(t, b) }
        case .queued:
            guard e.source == .postfix, e.queueID.isSet, inQueue.count < maxQueueIDs else { return }
            if inQueue.insert(QueueKey(b, e.queueID)).inserted { queueChanged(t, b) }
        case .removed:
            guard e.source == .postfix, e.queueID.isSet else { return }
            if inQueue.remove(QueueKey(b, e.queueID)) != nil { queueChanged(t, b) }
        default: break
        }
    }

    mutating func countReply(_ e: MailEvent, _ b: LineBytes) {
        switch replyClass(e, b) {
        case 4: bump(.replies4xx, e.time, b)
        case 5: bump(.replies5xx, e.time, b)
        default: break
        }
    }

    /// The dense series from the first to the last minute seen (at most `maxMinutes` long).
    public func finish() -> MailSeries {
        var s = MailSeries()
        guard let lo = counts.keys.min(), let hiSeen = counts.keys.max() else {
            for n in MailSeries.Name.allCases { s.values[n] = [] }
            return s
        }
        let hi = min(hiSeen, lo + Int64(maxMinutes) - 1)
        let n = Int(hi - lo + 1)
        s.firstMinute = lo
        for name in MailSeries.Name.allCases { s.values[name] = [Double](repeating: 0, count: n) }
        for (m, v) in counts where m <= hi {
            for name in MailSeries.Name.allCases where name != .queue { s.values[name]![Int(m - lo)] = v[name.column] }
        }
        var q = 0.0
        var queue = [Double](repeating: 0, count: n)
        for i in 0..<n {
            if let v = queueAtMinute[lo + Int64(i)] { q = v }
            queue[i] = q
        }
        s.values[.queue] = queue
        s.evidence = evidence
        return s
    }
}

extension LogRunner {
    /// Decodes `paths` with the same decoders as `run` and returns their per-minute series.
    /// Files are read in order, one after the other; `-` (stdin) is not supported here.
    public func series(_ paths: [String]) throws -> MailSeries {
        var collector = MailSeriesCollector()
        collector.since = options.since
        collector.until = options.until
        for path in paths {
            guard path != "-" else { throw LogInputError(path: path, reason: "anomaly detection needs files (stdin cannot be read twice)") }
            let f = try open(path)
            defer { close(f.fd) }
            let h = head(f.fd, 65536)
            let gz = h.count >= 2 && h[0] == 0x1F && h[1] == 0x8B
            let y = years(fd: f.fd, size: f.size, mtime: f.mtime, gz: gz)
            var dec: LogDecoder
            var splitter = LineSplitter()
            if gz {
                let gzSource = try GzipSource(FileSource(fd: f.fd, path: path))
                var sample = [UInt8](repeating: 0, count: 65536)
                let got = try sample.withUnsafeMutableBytes { try gzSource.read(into: $0) }
                sample = Array(sample.prefix(got))
                dec = LogDecoder(format: formatIn ?? sample.withUnsafeBufferPointer { LogDecoder.detect($0) }, years: y)
                var source = PrefixedSource(prefix: sample, rest: gzSource)
                try splitter.run(&source) { line in dec.decode(line) { e, b in collector.consume(&e, b) } }
            } else {
                dec = LogDecoder(format: formatIn ?? h.withUnsafeBufferPointer { LogDecoder.detect($0) }, years: y)
                var source = FileSource(fd: f.fd, path: path)
                try splitter.run(&source) { line in dec.decode(line) { e, b in collector.consume(&e, b) } }
            }
        }
        return collector.finish()
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
