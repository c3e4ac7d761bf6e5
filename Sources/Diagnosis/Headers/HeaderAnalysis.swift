import MailAuth
import MailCore

/// What `mxray headers` learns from one message: the path it took (hops in travel order with
/// their delays, clocks and TLS), where the time went, the receiver's authentication verdicts
/// (RFC 8601), our own DKIM and ARC verification, and why it may have landed in spam.
/// Pure data; `HeaderAnalyzer` builds it, Reporting renders it.
public struct HeaderAnalysis: Sendable, Codable {
    /// One Received field, in travel order (1 = the first server that received the message).
    public struct Hop: Sendable, Codable {
        public var number: Int
        public var from: String?
        public var fromAddress: String?
        public var fromReverseName: String?
        public var by: String?
        public var with: String?
        public var id: String?
        public var forAddress: String?
        public var tls: ReceivedTLS
        public var authenticated: Bool
        /// The stamp's time in UTC (ISO 8601) and as written.
        public var date: String?
        public var dateText: String?
        public var epochSeconds: Int?
        /// The zone offset as written (minutes east of UTC); nil when -0000 or no date.
        public var offsetMinutes: Int?
        /// Seconds since the previous dated point (the Date field for hop 1, else the last
        /// hop with a date); negative means a clock is wrong. nil when either date is missing.
        public var delaySeconds: Int?
        /// Which side of the path the hop is on: `sender`, `receiver`.
        public var side: String
        /// What is wrong with this hop's stamp (missing date, unreadable date, clock behind…).
        public var problems: [String]
        public var evidenceID: String
    }

    /// Where the time went (seconds; nil when a needed date is missing).
    public struct Timing: Sendable, Codable {
        /// From the Date field (set by the author's program) to the first Received stamp.
        public var beforeSenderServer: Int?
        /// From the first stamp to the first stamp of the receiving organisation.
        public var inTransit: Int?
        /// From the receiver's first stamp to its last (internal relays, filters, delivery).
        public var atReceiver: Int?
        /// Date field to the last stamp.
        public var total: Int?
        /// Which stage took longest, in words; nil when nothing can be said.
        public var slowest: String?
    }

    /// One method result from an Authentication-Results field.
    public struct Verdict: Sendable, Codable, Hashable {
        public var method: String
        public var result: String
        public var reason: String?
        /// The most useful properties, `header.d=example.org` style.
        public var properties: [String]
        /// The authserv-id of the field (which host decided).
        public var authservID: String
        /// True for the topmost field: the final receiver's own verdict.
        public var isReceivers: Bool
    }

    /// Our own DKIM verification of one signature.
    public struct DKIMCheck: Sendable, Codable, Hashable {
        public var domain: String?
        public var selector: String?
        public var algorithm: String?
        public var result: String
        public var reason: String?
        public var keySize: Int?
    }

    /// One check that failed, with the record that would fix it.
    public struct Explanation: Sendable, Codable, Hashable {
        public var check: String
        public var what: String
        public var fix: String
    }

    public var subject: String?
    public var from: String?
    public var messageID: String?
    /// The Date field as written and in UTC.
    public var date: String?
    public var dateUTC: String?
    public var hops: [Hop]
    public var timing: Timing
    public var verdicts: [Verdict]
    public var dkim: [DKIMCheck]
    public var arc: ARCValidation
    /// The receiver's spam filter, when it left its mark (X-Spam-Status, X-Spam-Flag…).
    public var spamFilter: [String]
    /// Why the message may be treated as spam, check by check; empty when nothing failed.
    public var explanations: [Explanation]
    public var findings: [Finding]
    public var evidence: [Evidence]
    /// Lines of the header block that did not parse.
    public var problems: [String]
    /// Whether DNS keys came from a resolver (`resolver 127.0.10.54:53`) or were supplied.
    public var keySource: String
}
