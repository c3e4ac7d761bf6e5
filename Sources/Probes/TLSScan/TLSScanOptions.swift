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
    public var speculativeFeatures = true
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

/// A counting semaphore for the per-host connection cap.
actor ConnectionLimiter {
    private var available: Int
    private var waiters: [CheckedContinuation<Void, Never>] = []

    init(_ limit: Int) { available = max(1, limit) }

    func acquire() async {
        if available > 0 { available -= 1; return }
        await withCheckedContinuation { waiters.append($0) }
    }

    func release() {
        if waiters.isEmpty { available += 1 } else { waiters.removeFirst().resume() }
    }

    func with<T: Sendable>(_ body: @Sendable () async -> T) async -> T {
        await acquire()
        let r = await body()
        release()
        return r
    }
}
