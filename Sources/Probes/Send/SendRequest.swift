import MailWire
import NIOCore

/// The stages of one SMTP transaction, in order. `--quit-after` names one of the first seven;
/// a failure is reported with the stage it happened in.
public enum SendStage: String, Sendable, Codable, CaseIterable, Comparable {
    case connect, banner, ehlo, starttls, auth, mail, rcpt, data

    var rank: Int { Self.allCases.firstIndex(of: self)! }
    public static func < (a: SendStage, b: SendStage) -> Bool { a.rank < b.rank }
}

/// How the channel is protected: STARTTLS after EHLO (RFC 3207), TLS from the first byte
/// (RFC 8314 §3.3), or plaintext.
public enum SendTLSMode: String, Sendable, Codable, CaseIterable {
    case starttls, implicit, none
}

/// One message to send: where, how, from whom to whom, and what.
public struct SendRequest: Sendable {
    public var address: String
    public var port: Int
    /// The server's name for SNI and certificate checks; nil when only an address is known.
    public var host: String?
    public var tls: SendTLSMode
    /// SMTP AUTH credentials (RFC 4954); the password never enters a transcript.
    public var user: String?
    public var password: String?
    public var mechanism: SASLMechanism?
    /// The envelope (RFC 5321 §4.1.1.2, §4.1.1.3); the sender may be empty (null path).
    public var from: String
    public var to: [String]
    /// The whole message (header section, blank line, body), LF or CRLF line ends.
    public var message: [UInt8]
    /// Stop politely (QUIT) after this stage.
    public var quitAfter: SendStage?
    /// Use PIPELINING when the server offers it (RFC 2920).
    public var pipelining = true
    public var heloName = "mxray.invalid"

    public init(address: String, port: Int, host: String? = nil, tls: SendTLSMode, from: String, to: [String], message: [UInt8]) {
        self.address = address
        self.port = port
        self.host = host
        self.tls = tls
        self.from = from
        self.to = to
        self.message = message
    }
}

/// Deadlines of one send. Every network step has one; all are capped by `overall`.
public struct SendTimeouts: Sendable {
    public var connect: TimeAmount = .seconds(10)
    /// RFC 5321 §4.5.3.2.1 suggests 5 minutes for the greeting; we wait less.
    public var greeting: TimeAmount = .seconds(30)
    /// MAIL, RCPT and most commands (RFC 5321 §4.5.3.2.2–3 suggest 5 minutes).
    public var command: TimeAmount = .seconds(30)
    public var tls: TimeAmount = .seconds(15)
    /// The reply after the final "." (RFC 5321 §4.5.3.2.6 suggests 10 minutes: filters run here).
    public var dataEnd: TimeAmount = .seconds(120)
    public var overall: TimeAmount = .seconds(180)

    public init() {}
}
