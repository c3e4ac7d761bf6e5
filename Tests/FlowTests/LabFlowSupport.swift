import Diagnosis
import Foundation
import LabSupport
import MailWire
import Probes

/// Lab facts the flow tests share.
struct FlowLab {
    let env: LabEnvironment
    let settings: ProbeTLSSettings

    static func require() throws -> FlowLab {
        let env = try LabEnvironment.require()
        return FlowLab(env: env, settings: try ProbeTLSSettings(extraCAFile: env.caFile))
    }

    /// good.lab.test's first MX (Postfix 25/587, Dovecot 143/993).
    var mx1: String { get throws { try env.address("GOOD_MX1") } }
    /// The good scenario's address only the flow tests use (the delay test slows it).
    var flowAddress: String { env.values["MXRAY_LAB_GOOD_FLOW"] ?? "127.0.20.3" }
    let host = "mx1.good.lab.test"

    func sendRequest(to address: String, port: Int, tls: SendTLSMode, message: [UInt8]? = nil,
                     from: String = "probe@example.com") -> SendRequest {
        let m = message ?? MessageText.build(from: from, to: [env.user], subject: "mxray flow test",
                                             extraHeaders: [("X-MXRay-Token", RoundtripProbe.makeToken())], body: "flow test\r\n")
        return SendRequest(address: address, port: port, host: host, tls: tls, from: from, to: [env.user], message: m)
    }

    func roundtripRequest(address: String) -> RoundtripRequest {
        var r = RoundtripRequest(submissionAddress: address, imapAddress: address, host: host, user: env.user,
                                 password: env.password, from: env.user, to: env.user)
        r.arrivalTimeout = .seconds(30)
        r.pollInterval = .milliseconds(500)
        return r
    }

    func sender() -> SMTPSender {
        var t = SendTimeouts()
        t.overall = .seconds(60)
        return SMTPSender(tlsSettings: settings, timeouts: t)
    }
}

// The same mappings the commands use (`SendCommand.swift`, `RoundtripCommand.swift`); this
// target does not link the CLI, and FlowCLITests checks the commands' own copies agree.
extension SendSummary {
    init(flowResult r: SendResult) {
        self.init(target: r.target, ending: r.ending.rawValue, failedStage: r.failedStage?.rawValue, failedReply: r.failedReply,
                  failure: r.failure, lastStage: r.lastStage?.rawValue, pipelined: r.pipelined,
                  pipeliningOffered: r.capabilities?.pipelining ?? false, tls: r.tls, authMechanism: r.authMechanism,
                  acceptedRecipients: r.acceptedRecipients, refusedRecipients: r.refusedRecipients.map(\.recipient),
                  dataReply: r.dataReply, queueID: r.queueID, acceptedAtMilliseconds: r.acceptedAtMilliseconds,
                  messageOctets: r.messageOctets, steps: r.steps, transcript: r.transcript)
    }
}

extension RoundtripSummary {
    init(flowResult r: RoundtripResult, imapTarget: String, arrivalTimeoutSeconds: Double) {
        self.init(status: r.status.rawValue, token: r.token, submission: r.send.map { SendSummary(flowResult: $0) }, imapTarget: imapTarget,
                  folder: r.folder, folderIsJunk: r.folderIsJunk, usedIDLE: r.usedIDLE,
                  submissionMilliseconds: r.submissionMilliseconds, endToEndMilliseconds: r.endToEndMilliseconds,
                  afterAcceptanceMilliseconds: r.afterAcceptanceMilliseconds, pollIntervalMilliseconds: r.pollIntervalMilliseconds,
                  arrivalTimeoutSeconds: arrivalTimeoutSeconds, headerSection: r.headerSection, imapFailure: r.imapFailure,
                  imapSteps: r.imapSteps, imapTranscript: r.imapTranscript)
    }
}
