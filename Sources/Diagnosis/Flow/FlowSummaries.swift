import MailAuth
import MailCore
import MailWire

/// What one `mxray send` transaction saw, as the analysis and the renderers need it. Filled by
/// the command layer from the probe's result (Diagnosis never sees the sockets).
public struct SendSummary: Sendable, Codable, Equatable {
    /// `smtp://host:port`.
    public var target: String
    /// `accepted`, `stoppedAsAsked`, `refused` or `failed`.
    public var ending: String
    /// `connect`, `banner`, `ehlo`, `starttls`, `auth`, `mail`, `rcpt` or `data`.
    public var failedStage: String?
    public var failedReply: SMTPReply?
    public var failure: String?
    public var lastStage: String?
    public var pipelined: Bool
    public var pipeliningOffered: Bool
    public var tls: TLSObservation?
    public var authMechanism: String?
    public var acceptedRecipients: [String]
    public var refusedRecipients: [String]
    /// The reply after the final "." (RFC 5321 §4.1.1.4), when the message was sent.
    public var dataReply: SMTPReply?
    public var queueID: String?
    public var acceptedAtMilliseconds: Double?
    public var messageOctets: Int
    public var steps: [StepTiming]
    public var transcript: Transcript

    public init(target: String, ending: String, failedStage: String? = nil, failedReply: SMTPReply? = nil,
                failure: String? = nil, lastStage: String? = nil, pipelined: Bool = false, pipeliningOffered: Bool = false,
                tls: TLSObservation? = nil, authMechanism: String? = nil, acceptedRecipients: [String] = [],
                refusedRecipients: [String] = [], dataReply: SMTPReply? = nil, queueID: String? = nil,
                acceptedAtMilliseconds: Double? = nil, messageOctets: Int = 0, steps: [StepTiming] = [],
                transcript: Transcript) {
        self.target = target
        self.ending = ending
        self.failedStage = failedStage
        self.failedReply = failedReply
        self.failure = failure
        self.lastStage = lastStage
        self.pipelined = pipelined
        self.pipeliningOffered = pipeliningOffered
        self.tls = tls
        self.authMechanism = authMechanism
        self.acceptedRecipients = acceptedRecipients
        self.refusedRecipients = refusedRecipients
        self.dataReply = dataReply
        self.queueID = queueID
        self.acceptedAtMilliseconds = acceptedAtMilliseconds
        self.messageOctets = messageOctets
        self.steps = steps
        self.transcript = transcript
    }

    /// The evidence id of this transaction's transcript.
    public var evidenceID: String { "transcript:send:\(target)" }
}

/// Where a watched message landed, when a round trip looked for it.
public enum Placement: Sendable, Codable, Equatable {
    case inbox(folder: String)
    case junk(folder: String)
    /// Accepted but not found in any watched folder before the deadline.
    case notSeen(waitedSeconds: Double)
}

/// What one `mxray roundtrip` saw.
public struct RoundtripSummary: Sendable, Codable, Equatable {
    /// `arrived`, `notArrived`, `notAccepted` or `imapFailed`.
    public var status: String
    public var token: String
    public var submission: SendSummary?
    /// `imap://host:port`.
    public var imapTarget: String
    public var folder: String?
    public var folderIsJunk: Bool
    public var usedIDLE: Bool
    public var submissionMilliseconds: Double?
    public var endToEndMilliseconds: Double?
    public var afterAcceptanceMilliseconds: Double?
    public var pollIntervalMilliseconds: Double
    public var arrivalTimeoutSeconds: Double
    /// Received fields, newest first (RFC 5321 §4.4).
    public var received: [ReceivedHeader]
    public var authenticationResults: [AuthenticationResults]
    public var imapFailure: String?
    public var imapSteps: [StepTiming]
    public var imapTranscript: Transcript

    public init(status: String, token: String, submission: SendSummary?, imapTarget: String, folder: String?,
                folderIsJunk: Bool, usedIDLE: Bool, submissionMilliseconds: Double?, endToEndMilliseconds: Double?,
                afterAcceptanceMilliseconds: Double?, pollIntervalMilliseconds: Double, arrivalTimeoutSeconds: Double,
                headerSection: [UInt8], imapFailure: String?, imapSteps: [StepTiming], imapTranscript: Transcript) {
        self.status = status
        self.token = token
        self.submission = submission
        self.imapTarget = imapTarget
        self.folder = folder
        self.folderIsJunk = folderIsJunk
        self.usedIDLE = usedIDLE
        self.submissionMilliseconds = submissionMilliseconds
        self.endToEndMilliseconds = endToEndMilliseconds
        self.afterAcceptanceMilliseconds = afterAcceptanceMilliseconds
        self.pollIntervalMilliseconds = pollIntervalMilliseconds
        self.arrivalTimeoutSeconds = arrivalTimeoutSeconds
        // The round trip's header section goes through the one header parser (MailAuth/Message,
        // bounded: RFC 5322 §2.2 unfolding, RFC 5321 §4.4 Received, RFC 8601 Authentication-Results).
        let header = try? MessageHeader.parse(headerSection)
        self.received = Array((header?.receivedChain ?? []).prefix(100))
        self.authenticationResults = Array((header?.authenticationResults ?? []).prefix(50))
        self.imapFailure = imapFailure
        self.imapSteps = imapSteps
        self.imapTranscript = imapTranscript
    }

    public var placement: Placement? {
        switch status {
        case "arrived": return folderIsJunk ? .junk(folder: folder ?? "?") : .inbox(folder: folder ?? "INBOX")
        case "notArrived": return .notSeen(waitedSeconds: arrivalTimeoutSeconds)
        default: return nil
        }
    }

    public var evidenceID: String { "transcript:imap:\(imapTarget)" }
}
