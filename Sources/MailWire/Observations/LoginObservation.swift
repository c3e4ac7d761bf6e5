import MailCore

/// The result of `mxray login`: whether the server took the credentials, how, and how long
/// each step took. Never holds the password.
public struct LoginObservation: Sendable, Codable, Equatable {
    public enum Status: String, Sendable, Codable {
        case authenticated
        /// The server refused the credentials (535, `NO`, `-ERR`).
        case rejected
        /// No mechanism both sides speak (or the forced one is not offered).
        case noCommonMechanism
        /// We would have had to send the password without TLS; refused unless allowed.
        case plaintextRefused
        /// Connected, but the dialogue broke (greeting refused, timeout, protocol error, TLS).
        case protocolFailure
        /// No connection.
        case connectFailed
    }

    public let scheme: String
    public let address: String
    public let host: String?
    public let port: Int
    public let user: String
    public var status: Status = .protocolFailure
    public var mechanism: String?
    /// The server's answer to the authentication (code and text), the evidence for "rejected".
    public var serverReply: String?
    public var detail: String?
    public var connect: ConnectObservation?
    public var tls: TLSObservation?
    public var steps: [StepTiming] = []
    public var mailbox: MailboxSummary?
    public var transcript: Transcript

    public init(scheme: String, address: String, host: String?, port: Int, user: String, transcript: Transcript) {
        self.scheme = scheme
        self.address = address
        self.host = host
        self.port = port
        self.user = user
        self.transcript = transcript
    }
}

/// What the post-login steps saw (IMAP: LIST, SELECT INBOX, FETCH; POP3: STAT).
public struct MailboxSummary: Sendable, Codable, Equatable {
    public var mailboxes: [String] = []
    public var messages: Int?
    public var octets: Int?
    /// Header lines of the newest message (IMAP FETCH of FROM, SUBJECT, DATE).
    public var newestHeaders: [String] = []

    public init() {}
}
