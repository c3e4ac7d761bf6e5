import Foundation
import MailCore
import MailWire
import NIOCore
import NIOPosix

/// One round trip: where to submit, where to watch, who, and how long to wait.
public struct RoundtripRequest: Sendable {
    /// Submission server (RFC 6409): 587 with STARTTLS and AUTH by default.
    public var submissionAddress: String
    public var submissionPort = 587
    public var submissionTLS = SendTLSMode.starttls
    /// IMAP server: 143 with STARTTLS by default (993 with `.implicit`).
    public var imapAddress: String
    public var imapPort = 143
    public var imapTLS = SendTLSMode.starttls
    /// Name for SNI and certificate checks on both connections.
    public var host: String?
    public var user: String
    public var password: String
    public var from: String
    public var to: String
    /// Send a filter test string instead of an ordinary message.
    public var test: FilterTestString?
    /// How long to wait for the message to appear after it was accepted.
    public var arrivalTimeout: TimeAmount = .seconds(60)
    /// How often folders other than INBOX are searched (INBOX is watched with IDLE when offered).
    public var pollInterval: TimeAmount = .seconds(1)

    public init(submissionAddress: String, imapAddress: String, host: String?, user: String, password: String,
                from: String, to: String) {
        self.submissionAddress = submissionAddress
        self.imapAddress = imapAddress
        self.host = host
        self.user = user
        self.password = password
        self.from = from
        self.to = to
    }
}

/// What a round trip saw. A value: `mxray serve` can keep and export it as a check result.
public struct RoundtripResult: Sendable, Codable, Equatable {
    public enum Status: String, Sendable, Codable {
        /// Seen in a watched folder before the deadline.
        case arrived
        /// Accepted by submission but not seen before the deadline.
        case notArrived
        /// Submission did not accept the message (see `send`).
        case notAccepted
        /// The IMAP side failed (connect, TLS, login, a command), so nothing could be watched.
        case imapFailed
    }

    public var status: Status = .imapFailed
    /// The unique token in `X-MXRay-Token` and the Subject.
    public var token: String
    public var send: SendResult?
    /// The folder the message was found in, and whether it is a junk folder (RFC 6154 `\Junk`,
    /// or named Junk/Spam/Quarantine).
    public var folder: String?
    public var folderIsJunk = false
    /// Whether INBOX was watched with IDLE (RFC 2177); otherwise every folder was polled.
    public var usedIDLE = false
    /// From the submission's connect to the 250 after the final ".".
    public var submissionMilliseconds: Double?
    /// From the submission's connect to the moment the IMAP search found the message.
    public var endToEndMilliseconds: Double?
    /// From the 250 after DATA to the moment the message was found (queue and delivery time,
    /// plus up to one poll interval when it was found by polling a folder other than INBOX).
    public var afterAcceptanceMilliseconds: Double?
    public var pollIntervalMilliseconds: Double
    /// The header section of the message as delivered (at most 256 KiB), for the Received
    /// chain and Authentication-Results.
    public var headerSection: [UInt8] = []
    public var imapFailure: String?
    public var imapSteps: [StepTiming] = []
    public var imapTranscript: Transcript
    public var imapTLS: TLSObservation?

    public init(token: String, pollIntervalMilliseconds: Double, imapTranscript: Transcript) {
        self.token = token
        self.pollIntervalMilliseconds = pollIntervalMilliseconds
        self.imapTranscript = imapTranscript
    }
}

/// Sends a message with a unique token through submission and watches IMAP until it arrives.
///
/// The reusable core of `mxray roundtrip` (and of a `serve` check): every step has a deadline,
/// the result is a value, nothing is thrown.
public struct RoundtripProbe: Sendable {
    public let tlsSettings: ProbeTLSSettings?
    public var timeouts = SendTimeouts()
    public var limits = MailWireLimits.default
    let group: any EventLoopGroup

    public init(tlsSettings: ProbeTLSSettings?, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.tlsSettings = tlsSettings
        self.group = group
    }

    public static func makeToken() -> String {
        var g = SystemRandomNumberGenerator()
        return "mxray-" + (0..<8).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &g)) }.joined()
    }

    public func run(_ request: RoundtripRequest, token: String = RoundtripProbe.makeToken()) async -> RoundtripResult {
        let clock = Stopwatch()
        let interval = Double(request.pollInterval.nanoseconds) / 1e6
        // The IMAP session's overall deadline covers login, the submission and the wait.
        let deadlines = Deadlines(overall: .now() + timeouts.overall + request.arrivalTimeout)
        let label = "imap://\(request.host ?? request.imapAddress):\(request.imapPort)"
        let (connection, connect, transcript) = await ProbeConnection.connect(
            address: request.imapAddress, port: request.imapPort, group: group, timeout: timeouts.connect,
            label: label, stopwatch: clock)
        var result = RoundtripResult(token: token, pollIntervalMilliseconds: interval, imapTranscript: transcript)
        guard let connection else {
            result.imapFailure = "IMAP \(connect.state.rawValue): \(connect.detail ?? "no connection")"
            return result
        }
        let watch = IMAPWatch(connection: connection, limits: limits, deadlines: deadlines, commandTimeout: timeouts.command)
        do {
            try await open(watch, request: request)
            try await sendAndWatch(watch, request: request, clock: clock, into: &result)
        } catch {
            if result.status != .notAccepted {
                result.status = .imapFailed
                result.imapFailure = deadlines.exceeded ? "the overall deadline passed (\(error.description))" : error.description
            }
        }
        await watch.logout()
        result.imapSteps = watch.steps
        result.imapTLS = connection.tls
        await connection.close()
        result.imapTranscript = connection.transcript
        return result
    }

    /// Greeting, STARTTLS or implicit TLS, CAPABILITY, login.
    private func open(_ watch: IMAPWatch, request: RoundtripRequest) async throws(ProbeReadError) {
        let connection = watch.connection
        if request.imapTLS == .implicit { try await handshake(watch, request: request, mode: .implicit) }
        let greeting = try await watch.read(deadline: watch.deadlines.step(timeouts.greeting))
        guard greeting.kind == .untagged, greeting.status == .ok else {
            throw .channel("IMAP greeting refused service: \(greeting.transcriptText)")
        }
        try await watch.refreshCapabilities()
        if request.imapTLS == .starttls {
            guard watch.capabilities.startTLS else { throw .tls("the IMAP server does not offer STARTTLS (RFC 9051 §6.2.1)") }
            let (_, done) = try await watch.run("STARTTLS", step: "STARTTLS")
            guard done.status == .ok else { throw .tls("STARTTLS refused: \(done.transcriptText)") }
            try await handshake(watch, request: request, mode: .startTLS)
            try await watch.refreshCapabilities()  // RFC 9051 §6.2.1: ask again after TLS
        }
        guard connection.isTLS || request.imapTLS == .none else { throw .tls("no TLS; refusing to send the password") }
        let done = try await watch.login(user: request.user, password: request.password)
        guard done.status == .ok else { throw .sasl("IMAP login refused: \(done.statusText)") }
        try await watch.refreshCapabilities()  // the set may grow after login (RFC 9051 §6.2.3)
    }

    private func handshake(_ watch: IMAPWatch, request: RoundtripRequest, mode: TLSObservation.Mode) async throws(ProbeReadError) {
        guard let settings = tlsSettings else { throw .tls("no TLS settings") }
        let start = watch.connection.milliseconds
        let t = try await watch.connection.startTLS(settings: settings, serverName: request.host, mode: mode,
                                                    deadline: watch.deadlines.step(timeouts.tls))
        watch.record(StepTiming(name: "TLS handshake", milliseconds: watch.connection.milliseconds - start, result: t.version ?? "ok"))
    }
}
