import MailWire
import NIOCore

/// Deadlines, switches and limits for one probe run.
public struct ProbeOptions: Sendable {
    /// Connect deadline per address and port; no answer by then means "filtered".
    public var connectTimeout: TimeAmount = .seconds(5)
    /// Greeting deadline (RFC 5321 §4.5.3.2.1 lets a client wait 5 minutes; a probe reports
    /// a greeting slower than this as "could not test").
    public var greetingTimeout: TimeAmount = .seconds(20)
    /// Deadline for each command's complete reply.
    public var commandTimeout: TimeAmount = .seconds(10)
    public var tlsTimeout: TimeAmount = .seconds(10)
    /// How long to listen for an answer to the command injected after STARTTLS.
    public var injectionWait: TimeAmount = .milliseconds(700)
    /// One deadline for the whole run; every step's deadline is capped by it.
    public var overallTimeout: TimeAmount = .seconds(60)
    /// At most this many connections to one address at a time.
    public var perAddressConcurrency = 4
    /// EHLO/HELO argument (RFC 5321 §4.1.1.1).
    public var heloName = "mxray.invalid"
    public var relayTest = true
    public var injectionTest = true
    public var addressQueryTest = true
    /// Ask EXPN on a second connection beside each SMTP session (over STARTTLS like it), when
    /// the per-address cap has room for both (`SMTPAddressQuerySession`): one round trip fewer
    /// for the session (RFC 2920 §3.1 lets VRFY, EXPN and QUIT each only end a group).
    public var addressQueriesOnSecondConnection = false
    /// Sender and recipient domains for the relay test: outside any real server's care (RFC 2606).
    public var relaySenderDomain = "example.com"
    public var relayRecipientDomain = "example.net"
    public var limits = MailWireLimits.default
    public var tls: ProbeTLSSettings?

    public init(tls: ProbeTLSSettings? = nil) {
        self.tls = tls
    }
}

/// The deadline of one step: its own timeout, capped by the run's overall deadline.
struct Deadlines: Sendable {
    let overall: NIODeadline

    func step(_ timeout: TimeAmount) -> NIODeadline {
        min(.now() + timeout, overall)
    }

    var exceeded: Bool { overall <= .now() }
}
