/// What `mxray logs` reports: a Codable value the renderers in Reporting turn into text, JSON,
/// HTML, Markdown or a Prometheus text file.
public struct LogSummary: Codable, Sendable {
    public var schema = "mxray.logs/1"
    public var inputs: [Input] = []
    public var first: String? = nil
    public var last: String? = nil
    /// True when a bounded structure overflowed and some tops or distinct counts are estimates.
    public var approximate = false
    public var totals = Totals()
    public var contentFilter = ContentFilter()
    public var pflogsummDifferences = PflogsummDifferences()
    public var perHour: [Row] = []
    public var perDay: [Row] = []
    public var perMinute: [Row] = []
    public var replyCodes: [KeyCount] = []
    public var enhancedCodes: [KeyCount] = []
    public var delays = Delays()
    public var top = Tops()
    public var rejectReasons: [Reason] = []
    public var deferralReasons: [Reason] = []
    public var bounceReasons: [Reason] = []
    public var tls = TLS()
    public var postscreen: [KeyCount] = []
    /// smtpd commands from Postfix 3.x disconnect counters, and how many of each were refused.
    public var smtpCommands: [KeyCount] = []
    public var smtpCommandsRefused: [KeyCount] = []
    public var sasl = SASL()
    public var dovecot = Dovecot()
    public var warnings: [KeyCount] = []
    public var unknown: [Unknown] = []
    public var alerts: [Alert] = []
    /// Messages queued and not yet removed at the end of each minute (the last day of the log), kept
    /// only when the queue-growth alert fired or `AggregatorOptions.keepQueueBacklog` asks for it: the
    /// input of the deferred-queue forecast, so the files are read once.
    public var queueBacklog: QueueBacklog? = nil

    public init() {}

    /// One value per minute from `firstMinute` (minutes since the epoch) on; minutes without a queue
    /// event carry the previous value.
    public struct QueueBacklog: Codable, Sendable, Equatable {
        public var firstMinute: Int64
        public var values: [Double]
        public init(firstMinute: Int64, values: [Double]) { self.firstMinute = firstMinute; self.values = values }
    }
    public struct Input: Codable, Sendable { public var name: String; public var format: String; public var lines: Int64; public var bytes: Int64; public var unknownLines: Int64 }

    /// pflogsumm's "Grand Totals", under pflogsumm's own names.
    public struct Totals: Codable, Sendable, Equatable {
        public var received: Int64 = 0
        public var delivered: Int64 = 0
        public var forwarded: Int64 = 0
        public var deferred: Int64 = 0
        public var deferrals: Int64 = 0
        public var bounced: Int64 = 0
        public var rejected: Int64 = 0
        public var rejectWarnings: Int64 = 0
        public var held: Int64 = 0
        public var discarded: Int64 = 0
        public var bytesReceived: Int64 = 0
        public var bytesDelivered: Int64 = 0
        public var senders: Int64 = 0
        public var sendingDomains: Int64 = 0
        public var recipients: Int64 = 0
        public var recipientDomains: Int64 = 0
        public var connections: Int64 = 0
        public var expired: Int64 = 0
        enum CodingKeys: String, CodingKey {
            case received, delivered, forwarded, deferred, deferrals, bounced, rejected
            case rejectWarnings = "reject warnings", held, discarded
            case bytesReceived = "bytes received", bytesDelivered = "bytes delivered"
            case senders, sendingDomains = "sending hosts/domains", recipients, recipientDomains = "recipient hosts/domains"
            case connections, expired
        }
        public init() {}
    }

    /// Hand-offs to and from a content filter (amavis, a re-injecting milter): not deliveries.
    public struct ContentFilter: Codable, Sendable { public var handoffs: Int64 = 0; public var reinjected: Int64 = 0; public var bytes: Int64 = 0 }

    /// Lines where pflogsumm 1.1.5 counts differently (see docs/logs.md), so the totals can be compared.
    public struct PflogsummDifferences: Codable, Sendable, Equatable {
        /// received via a service pflogsumm skips (`submissions/smtpd`, `postfix-<instance>/…`, …)
        public var receivedUnseen: Int64 = 0
        /// status=sent lines pflogsumm's pattern misses (a `tls=` field before `dsn=`, `to=` without `<>`, …)
        public var deliveredUnseen: Int64 = 0
        public var bouncedUnseen: Int64 = 0
        public var deferralsUnseen: Int64 = 0
        public var deferredUnseen: Int64 = 0
        /// smtpd `milter-reject` (pflogsumm counts only cleanup's)
        public var rejectedUnseen: Int64 = 0
        /// bytes delivered that pflogsumm therefore misses
        public var bytesDeliveredUnseen: Int64 = 0
        public var bytesReceivedUnseen: Int64 = 0
    }

    public struct Row: Codable, Sendable {
        public var label: String
        public var received: Int64 = 0, delivered: Int64 = 0, deferred: Int64 = 0, bounced: Int64 = 0, rejected: Int64 = 0
        public var connections: Int64 = 0, authFailures: Int64 = 0, fiveXX: Int64 = 0
    }
    public struct KeyCount: Codable, Sendable { public var key: String; public var count: Int64; public var bytes: Int64? = nil }
    public struct Percentiles: Codable, Sendable { public var count: Int64 = 0; public var p50 = 0.0, p90 = 0.0, p99 = 0.0, max = 0.0, mean = 0.0 }
    public struct Delays: Codable, Sendable {
        public var total = Percentiles()
        public var beforeQueueManager = Percentiles()
        public var inQueueManager = Percentiles()
        public var connectionSetup = Percentiles()
        public var transmission = Percentiles()
        public var perRelay: [RelayDelay] = []
    }
    public struct RelayDelay: Codable, Sendable { public var relay: String; public var delay: Percentiles }
    public struct Tops: Codable, Sendable {
        public var senders: [KeyCount] = [], recipients: [KeyCount] = [], senderDomains: [KeyCount] = []
        public var recipientDomains: [KeyCount] = [], relays: [KeyCount] = [], clients: [KeyCount] = []
    }
    public struct Reason: Codable, Sendable { public var reason: String; public var count: Int64; public var examples: [String] }
    public struct TLS: Codable, Sendable {
        public var inboundConnections: Int64 = 0
        public var inboundTLS: Int64 = 0
        public var inboundShare: Double = 0
        public var outboundTLS: Int64 = 0
        public var versions: [KeyCount] = []
        public var ciphers: [KeyCount] = []
        public var deliveryPolicies: [KeyCount] = []
        public var errors: Int64 = 0
    }
    public struct SASL: Codable, Sendable {
        public var logins: Int64 = 0
        public var failures: Int64 = 0
        public var methods: [KeyCount] = []
        public var users: [KeyCount] = []
    }
    public struct Dovecot: Codable, Sendable {
        public var logins: Int64 = 0
        public var authFailures: Int64 = 0
        public var byProtocol: [KeyCount] = []
        public var users: [KeyCount] = []
    }
    public struct Unknown: Codable, Sendable { public var program: String; public var count: Int64; public var samples: [String] }

    public struct Alert: Codable, Sendable {
        public enum Kind: String, Codable, Sendable { case bruteForce = "brute-force", spike, queueGrowth = "queue-growth", relayFailing = "relay-failing" }
        public var kind: Kind
        public var subject: String
        public var windowStart: String
        public var windowEnd: String
        public var count: Int64
        public var detail: String
        public var evidence: [String]
        public var advice: String
    }
}
