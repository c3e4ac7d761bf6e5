import MailCore
import NIOCore
import TLSWire

/// The plaintext protocol spoken before the handshake, or none for implicit TLS.
public enum StartTLSProtocol: String, Sendable, CaseIterable, Codable {
    case smtp, imap, pop3

    /// RFC 8314 §3 / RFC 3207 / RFC 2595: the usual STARTTLS ports; others are implicit TLS.
    public static func forPort(_ port: Int) -> StartTLSProtocol? {
        switch port {
        case 25, 587: return .smtp
        case 143: return .imap
        case 110: return .pop3
        default: return nil
        }
    }
}

/// Deadlines and limits of one TLS scan.
public struct TLSScanOptions: Sendable {
    public var host: String
    public var address: String
    public var port: Int
    public var starttls: StartTLSProtocol?
    /// At most this many connections to the address at a time (DESIGN.md: per-host cap).
    public var perHostConcurrency = 4
    public var connectTimeout: TimeAmount = .seconds(5)
    /// Deadline of each step (greeting, each command, the hello's answer).
    public var stepTimeout: TimeAmount = .seconds(10)
    /// One deadline for the whole scan.
    public var overallTimeout: TimeAmount = .seconds(120)
    /// RFC 8446 §4.1.2 has no limit; servers choke on big hellos: at most this many suites a hello.
    public var maxSuitesPerHello = 128
    /// TLS 1.2 candidates are eliminated in this many parallel parts (half as many more for the
    /// finite-field DH suites): the longest chain is then about accepted / parts + 1 hellos.
    public var suitePartitions = 4
    /// A server with its own order and few accepted items gets its order from one parallel wave
    /// of two-item offers when that takes at most this many hellos; else by elimination.
    public var maxPairwiseChecks = 28
    /// Ask for the fallback test at TLS 1.2 before the versions are known (a hello more when 1.2
    /// is not the version it needs; one round trip less otherwise). The features need no
    /// hello of their own at 1.2: the suite hellos show them.
    public var speculativeFallback = true
    /// Attempt a TLS 1.2 resumption (a full handshake, then hellos offering its ticket and its
    /// session id): three connections more.
    public var testResumption = true
    public var heloName = "mxray.invalid"
    /// Extra trusted CA (PEM) for the certificate check.
    public var caFile: String?
    public var fetchCertificate = true
    public var clock: any WallClock = SystemWallClock()

    public init(host: String, address: String, port: Int, starttls: StartTLSProtocol?) {
        self.host = host
        self.address = address
        self.port = port
        self.starttls = starttls
    }
}

/// A counting semaphore for the per-host connection cap, which a server's own connection limit
/// can lower (`ServerLimit`).
actor ConnectionLimiter {
    private var available: Int
    private var waiters: [CheckedContinuation<Void, Never>] = []
    /// Slots given up (`lower`) while all were taken: released ones pay this back first.
    private var owed = 0
    private(set) var limit: Int

    init(_ limit: Int) {
        self.limit = max(1, limit)
        available = self.limit
    }

    func acquire() async {
        if available > 0 { available -= 1; return }
        await withCheckedContinuation { waiters.append($0) }
    }

    func release() {
        if owed > 0 { owed -= 1; return }
        if waiters.isEmpty { available += 1 } else { waiters.removeFirst().resume() }
    }

    /// One slot fewer from now on (never below one).
    func lower() {
        guard limit > 1 else { return }
        limit -= 1
        if available > 0 { available -= 1 } else { owed += 1 }
    }

    func with<T: Sendable>(_ body: @Sendable () async -> T) async -> T {
        await acquire()
        let r = await body()
        release()
        return r
    }

    // MARK: The server's own limit (`ServerLimit`)

    private lazy var budget = ServerLimit.Budget(cap: limit)

    /// A connection got through its preamble.
    func markServed() { budget.markServed() }

    /// The server answered with its connection limit: the attempt number of the retry allowed
    /// (the cap is then one lower), or nil when the scan should give up.
    func throttled() -> Int? {
        guard let attempt = budget.retry() else { return nil }
        lower()
        return attempt
    }
}

/// A server at its own connection limit answers a new connection with 421 (RFC 5321 §3.8;
/// Postfix `smtpd_client_connection_count_limit`, 50 by default; Exim `smtp_accept_max`, 20) or,
/// for IMAP and POP3, a BYE or -ERR greeting. Other clients, or mxray's own probes beside the
/// scan, may hold the rest of that limit. Such an answer means "fewer at a time": the scan lowers
/// its cap by one and asks again after a pause. A server that has served none of the scan's
/// connections within two seconds of its first such answer refuses this client, and the scan is
/// "could not test" (the rule); one that has served it is asked again, a bounded number
/// of times.
enum ServerLimit {
    /// Whether a preamble failure is the server's connection limit speaking.
    static func isThrottle(_ why: String) -> Bool {
        why.hasPrefix("greeting 421") || why.hasPrefix("EHLO answered 421") || why.hasPrefix("STARTTLS answered 421")
            || why.hasPrefix("greeting BYE") || why.hasPrefix("greeting -ERR")
    }

    /// The pause before the `attempt`th retry (1, 2, …): 50 ms more each time, at most 500 ms,
    /// with jitter so that parallel scans do not come back together.
    static func pause(attempt: Int) -> Duration {
        .milliseconds(min(500, 50 * attempt) + Int.random(in: 0...40))
    }

    /// The retries one scan may spend.
    struct Budget: Sendable {
        private var served = false
        private var first: ContinuousClock.Instant?
        private(set) var used = 0
        let most: Int
        /// Without a connection served, retry for this long after the first such answer.
        static let patience: Duration = .seconds(2)

        init(cap: Int) { most = max(8, 4 * cap) }

        /// A connection got through its preamble.
        mutating func markServed() { served = true }

        /// The attempt number of the retry allowed after one more such answer, or nil.
        mutating func retry(now: ContinuousClock.Instant = .now) -> Int? {
            let start = first ?? now
            first = start
            guard used < most, served || now - start < Self.patience else { return nil }
            used += 1
            return used
        }
    }
}
