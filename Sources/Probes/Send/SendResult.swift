import MailCore
import MailWire

/// What one send saw: each stage's reply, the timings, the transcript, and where it ended.
public struct SendResult: Sendable, Codable, Equatable {
    public enum Ending: String, Sendable, Codable {
        /// The message was accepted after the final "." (RFC 5321 §4.1.1.4: 250).
        case accepted
        /// Stopped after the `--quit-after` stage, as asked.
        case stoppedAsAsked
        /// The server refused at `failedStage` with a 4xx/5xx reply (`failedReply`).
        case refused
        /// No verdict from the server: connect failure, timeout, closed connection, TLS failure.
        case failed
    }

    public var ending: Ending = .failed
    /// The stage that went wrong (refused or failed); nil otherwise.
    public var failedStage: SendStage?
    /// The server's refusal, when it refused.
    public var failedReply: SMTPReply?
    /// What went wrong, in one line, when it failed without a reply.
    public var failure: String?
    /// The last stage completed.
    public var lastStage: SendStage?
    public var connect: ConnectObservation?
    public var greeting: SMTPReply?
    public var capabilities: SMTPCapabilities?
    public var tls: TLSObservation?
    public var authMechanism: String?
    /// Recipients the server accepted and refused, with its replies (RFC 5321 §4.1.1.3).
    public var acceptedRecipients: [String] = []
    public var refusedRecipients: [RecipientRefusal] = []
    /// True when MAIL, RCPT and DATA went out in one write (RFC 2920 §3.1).
    public var pipelined = false
    /// The reply after the final "." (RFC 5321 §4.1.1.4).
    public var dataReply: SMTPReply?
    /// The queue id the server named in its 250 after DATA (`queued as 4F2C…`), if any.
    public var queueID: String?
    /// Milliseconds from the start of the connect to the reply after the final ".".
    public var acceptedAtMilliseconds: Double?
    public var messageOctets = 0
    public var steps: [StepTiming] = []
    public var transcript: Transcript
    public var target: String

    public init(target: String, transcript: Transcript) {
        self.target = target
        self.transcript = transcript
    }

    public struct RecipientRefusal: Sendable, Codable, Equatable {
        public let recipient: String
        public let reply: SMTPReply
        public init(recipient: String, reply: SMTPReply) { self.recipient = recipient; self.reply = reply }
    }

    /// `queued as ABC123` (Postfix), `id=1abc-…` (Exim), `<id> Message accepted` (…): the token after
    /// "queued as", "id=" or "Ok:"; nil when the reply names none.
    public static func queueID(in reply: SMTPReply) -> String? {
        let text = reply.text
        for marker in ["queued as ", "id=", "queued ", "ok: "] {
            guard let r = text.range(of: marker, options: .caseInsensitive) else { continue }
            let token = text[r.upperBound...].prefix { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." || $0 == "@" || $0 == "_" }
            if token.count >= 4 && token.count <= 80 { return String(token) }
        }
        return nil
    }
}
