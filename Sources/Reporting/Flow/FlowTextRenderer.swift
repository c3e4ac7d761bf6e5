import Diagnosis
import Foundation
import MailCore
import MailWire

/// Terminal rendering of `mxray send` and `mxray roundtrip`: the outcome in one line, each
/// step's time, the findings, and (on request) the transcripts with credentials redacted.
public struct FlowTextRenderer: Sendable {
    public var showTranscript: Bool

    public init(showTranscript: Bool = false) {
        self.showTranscript = showTranscript
    }

    /// One line saying how the transaction ended.
    public static func headline(_ s: SendSummary) -> String {
        switch s.ending {
        case "accepted":
            return "ACCEPTED by \(s.target): " + (s.dataReply.map { Transcript.printable($0.wireLines.joined(separator: " "), limit: 300) } ?? "")
        case "stoppedAsAsked":
            return "STOPPED after \(s.lastStage ?? "?") as asked (\(s.target))"
        case "refused":
            let r = s.failedReply.map { Transcript.printable($0.wireLines.joined(separator: " "), limit: 300) } ?? ""
            return "REFUSED at \(s.failedStage ?? "?") by \(s.target): \(r)"
        default:
            return "FAILED at \(s.failedStage ?? "?") (\(s.target)): " + Transcript.printable(s.failure ?? "?", limit: 300)
        }
    }

    public func render(send s: SendSummary, analysis: FlowAnalysis.Result? = nil) -> String {
        var out = [Self.headline(s)]
        out += details(s)
        if let analysis { out += findings(analysis) }
        if showTranscript {
            out.append("  transcript:")
            out += s.transcript.rendered().split(separator: "\n").map { "    " + $0 }
        }
        return out.joined(separator: "\n")
    }

    func details(_ s: SendSummary) -> [String] {
        var out: [String] = []
        if let t = s.tls {
            out.append("  TLS         \(t.mode.rawValue) \(t.version ?? "failed")"
                       + (t.chainVerified.map { $0 ? ", chain verified" : ", chain NOT verified" } ?? "")
                       + (t.nameMatches.map { $0 ? ", name matches" : ", name does NOT match" } ?? ""))
        }
        if let m = s.authMechanism { out.append("  AUTH        \(m)") }
        out.append("  PIPELINING  " + (s.pipelined ? "used" : s.pipeliningOffered ? "offered, not used" : "not offered"))
        if !s.refusedRecipients.isEmpty { out.append("  refused     " + s.refusedRecipients.map { Transcript.printable($0, limit: 100) }.joined(separator: ", ")) }
        if let q = s.queueID { out.append("  queue id    " + Transcript.printable(q, limit: 80)) }
        if s.messageOctets > 0 { out.append("  message     \(s.messageOctets) octets") }
        for step in s.steps {
            let name = Transcript.printable(step.name, limit: 40).padding(toLength: 22, withPad: " ", startingAt: 0)
            out.append("  " + name + String(format: "%9.1f ms  ", step.milliseconds) + Transcript.printable(step.result, limit: 80))
        }
        return out
    }

    func findings(_ a: FlowAnalysis.Result) -> [String] {
        guard !a.findings.isEmpty else { return [] }
        var out = ["  findings:"]
        for f in a.findings {
            out.append("    [\(f.severity.rawValue.uppercased())] \(f.id): \(f.title)")
            out.append("      " + Transcript.printable(f.detail, limit: 600))
            if f.severity > .info { out.append("      fix: " + f.remediation) }
        }
        return out
    }

    public func render(roundtrip rt: RoundtripSummary, analysis: FlowAnalysis.Result? = nil) -> String {
        var out: [String] = []
        switch rt.status {
        case "arrived":
            out.append("ARRIVED in \(Transcript.printable(rt.folder ?? "?", limit: 100))\(rt.folderIsJunk ? " (junk)" : "") after "
                       + FlowAnalysis.seconds(rt.endToEndMilliseconds) + " end to end")
        case "notArrived": out.append("NOT ARRIVED within \(Int(rt.arrivalTimeoutSeconds)) s after acceptance")
        case "notAccepted": out.append("NOT ACCEPTED by submission: " + (rt.submission.map(Self.headline) ?? "?"))
        default: out.append("IMAP FAILED: " + Transcript.printable(rt.imapFailure ?? "?", limit: 300))
        }
        out.append("  token       \(rt.token)")
        if let s = rt.submissionMilliseconds { out.append("  submission  " + FlowAnalysis.seconds(s) + " (connect to 250 after DATA)") }
        if let a = rt.afterAcceptanceMilliseconds { out.append("  delivery    " + FlowAnalysis.seconds(a) + " (250 after DATA to found over IMAP)") }
        out.append("  watching    " + (rt.usedIDLE ? "INBOX with IDLE" : "polling") + String(format: ", junk folders every %.1f s", rt.pollIntervalMilliseconds / 1000))
        if !rt.received.isEmpty {
            out.append("  Received chain (newest first):")
            for (i, h) in rt.received.enumerated() {
                let line = "from \(h.from ?? "?") by \(h.by ?? "?") with \(h.with ?? "?")\(h.tls.used == true ? " (TLS)" : "") at \(h.dateText ?? "no date")"
                out.append("    \(i + 1). " + Transcript.printable(line, limit: 300))
            }
        }
        for ar in rt.authenticationResults {
            let methods = ar.results.map { "\($0.method)=\($0.result)" }.joined(separator: " ")
            out.append("  Authentication-Results by \(Transcript.printable(ar.authservID, limit: 100)): " + Transcript.printable(methods.isEmpty ? "none" : methods, limit: 300))
        }
        if rt.authenticationResults.isEmpty && rt.status == "arrived" { out.append("  Authentication-Results: none added by the receiving side") }
        if let s = rt.submission { out.append("  submission: " + Self.headline(s)); out += details(s).map { "  " + $0 } }
        for step in rt.imapSteps {
            let name = Transcript.printable(step.name, limit: 40).padding(toLength: 22, withPad: " ", startingAt: 0)
            out.append("    imap " + name + String(format: "%9.1f ms  ", step.milliseconds) + Transcript.printable(step.result, limit: 80))
        }
        if let analysis { out += findings(analysis) }
        if showTranscript {
            if let s = rt.submission {
                out.append("  submission transcript:")
                out += s.transcript.rendered().split(separator: "\n").map { "    " + $0 }
            }
            out.append("  IMAP transcript:")
            out += rt.imapTranscript.rendered().split(separator: "\n").map { "    " + $0 }
        }
        return out.joined(separator: "\n")
    }
}
