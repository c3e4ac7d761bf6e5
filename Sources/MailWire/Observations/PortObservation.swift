import MailCore

/// What one probe of one address and port saw. Produced by the I/O layer (`Probes`), read by
/// `Diagnosis` and `Reporting`; plain values only.
public struct PortObservation: Sendable, Codable, Equatable {
    public let address: String
    /// The host name the caller gave (used for SNI and reports), if any.
    public let host: String?
    public let port: Int
    public let service: MailService
    public var connect: ConnectObservation
    /// How the session ended, once connected.
    public var outcome: SessionOutcome?
    public var outcomeDetail: String?
    public var smtp: SMTPObservation?
    public var imap: IMAPObservation?
    public var pop3: POP3Observation?
    /// Channel protection when the session ended: TLS details if a handshake completed.
    public var tls: TLSObservation?
    /// Each protocol step with its duration, in order.
    public var steps: [StepTiming] = []
    public var transcript: Transcript

    public init(address: String, host: String?, port: Int, service: MailService, connect: ConnectObservation,
                transcript: Transcript) {
        self.address = address
        self.host = host
        self.port = port
        self.service = service
        self.connect = connect
        self.transcript = transcript
    }

    /// `mx1.example:25` or `192.0.2.1:25`; with both, `mx1.example[192.0.2.1]:25`.
    public var subject: String {
        let a = address.contains(":") ? "[\(address)]" : address
        if let host, host != address { return "\(host)[\(address)]:\(port)" }
        return "\(a):\(port)"
    }

    /// True when the probe could not reach a verdict about the service (as opposed to a failure
    /// it observed): filtered, a greeting that never came, a stall, the overall deadline, a
    /// temporary refusal such as greylisting or rate limiting (`421`).
    public var couldNotTest: Bool {
        switch connect.state {
        case .filtered, .unreachable, .error: return true
        case .refused: return false
        case .open: break
        }
        switch outcome {
        case .greetingTimeout, .stalled, .deadlineExceeded, .temporarilyRefused: return true
        default: return false
        }
    }
}

/// The service a port is expected to run (IANA registry, RFC 8314 for the implicit-TLS ports).
public enum MailService: String, Sendable, Codable, CaseIterable {
    case smtp, submission, submissions, imap, imaps, pop3, pop3s, unknown

    public static func forPort(_ port: Int) -> MailService {
        switch port {
        case 25, 2525: return .smtp
        case 587: return .submission
        case 465: return .submissions
        case 143: return .imap
        case 993: return .imaps
        case 110: return .pop3
        case 995: return .pop3s
        default: return .unknown
        }
    }

    /// RFC 8314 §3: these ports start with TLS.
    public var implicitTLS: Bool { self == .submissions || self == .imaps || self == .pop3s }

    public enum WireProtocol: String, Sendable, Codable { case smtp, imap, pop3, none }
    public var mailProtocol: WireProtocol {
        switch self {
        case .smtp, .submission, .submissions: return .smtp
        case .imap, .imaps: return .imap
        case .pop3, .pop3s: return .pop3
        case .unknown: return .none
        }
    }

    /// Mail submission ports, where mail must not be accepted without AUTH (RFC 6409 §4.3).
    public var isSubmission: Bool { self == .submission || self == .submissions }
}

/// The TCP connect result.
public struct ConnectObservation: Sendable, Codable, Equatable {
    public enum State: String, Sendable, Codable {
        /// The handshake completed.
        case open
        /// The peer answered with a reset (ECONNREFUSED): nothing listens, or a REJECT rule.
        case refused
        /// No answer before the deadline: a firewall drops the packets.
        case filtered
        /// ICMP unreachable or no route (EHOSTUNREACH, ENETUNREACH).
        case unreachable
        /// Anything else (bad address, local error).
        case error
    }

    public let state: State
    /// Time to the connect result (for `filtered`, the deadline we waited).
    public let milliseconds: Double
    public let detail: String?

    public init(state: State, milliseconds: Double, detail: String? = nil) {
        self.state = state
        self.milliseconds = milliseconds
        self.detail = detail
    }
}

/// How a connected session ended.
public enum SessionOutcome: String, Sendable, Codable {
    /// The dialogue ran to its end.
    case completed
    /// Connected, but no greeting before the deadline (a tarpit or a stuck server).
    case greetingTimeout
    /// The greeting refused service permanently (`554`, IMAP `BYE`, POP3 `-ERR`).
    case greetingRejected
    /// A temporary refusal (`421`, RFC 5321 §3.8): rate limiting, greylisting, overload.
    case temporarilyRefused
    /// The peer closed the connection before the dialogue ended.
    case closedByPeer
    /// A reply began but did not complete before its deadline (a drip-feeding peer).
    case stalled
    /// The peer broke the grammar or a bound (line over 64 KiB, reply over 1 MiB).
    case protocolViolation
    /// The TLS handshake failed.
    case tlsFailed
    /// The overall deadline ended the session.
    case deadlineExceeded
}

/// One timed protocol step (`greeting`, `EHLO`, `STARTTLS`, `LOGIN`, `SELECT` …).
public struct StepTiming: Sendable, Codable, Equatable {
    public let name: String
    public let milliseconds: Double
    /// The reply's short form (`250`, `OK`, `+OK`) or what went wrong.
    public let result: String

    public init(name: String, milliseconds: Double, result: String) {
        self.name = name
        self.milliseconds = milliseconds
        self.result = result
    }
}

/// A completed TLS handshake (or the failure of one). Verification is recorded, not enforced:
/// probes go on over an unverified channel, and deep TLS analysis is the TLS scanner's job.
public struct TLSObservation: Sendable, Codable, Equatable {
    public enum Mode: String, Sendable, Codable { case startTLS, implicit }
    public let mode: Mode
    public var version: String?
    public var handshakeMilliseconds: Double?
    /// Whether the chain verified against the trust roots (system plus any extra CA file).
    public var chainVerified: Bool?
    /// Whether the SNI name matched the leaf's names; nil when we had no name to check.
    public var nameMatches: Bool?
    public var leafCommonName: String?
    public var leafNames: [String] = []
    /// Seconds since 1970 of the leaf's notAfter.
    public var leafNotAfter: Double?
    public var error: String?

    public init(mode: Mode) { self.mode = mode }
}
