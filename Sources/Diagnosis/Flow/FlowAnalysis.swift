import Foundation
import MailAuth
import MailCore
import MailWire

/// Turns send and round-trip summaries into findings with evidence. Pure.
public enum FlowAnalysis {
    public struct Result: Sendable, Codable, Equatable {
        public var findings: [Finding] = []
        public var evidence: [Evidence] = []
        public var verdict: FilterVerdict?
    }

    /// A round trip that took longer than this (end to end) is reported as slow.
    public static let slowRoundtripSeconds = 60.0

    public static func evidence(_ t: Transcript, id: String, title: String) -> Evidence {
        let lines = t.lines.map { String(format: "%8.1f ms %@: %@", $0.milliseconds, $0.direction.rawValue, $0.text) }
            + (t.droppedLines > 0 ? ["… \(t.droppedLines) more lines not kept"] : [])
        return Evidence(id: id, kind: .transcript, title: title, lines: lines)
    }

    static func raise(_ id: String, _ subject: String, _ detail: String, _ evidence: [String]) -> Finding? {
        FindingCatalog.definition(id)?.raise(subject: subject, detail: detail, evidence: evidence)
    }

    /// The verdict of a filter test as a finding (a gateway's behaviour, never an error of ours).
    public static func filterTest(_ test: FilterTest, send: SendSummary, roundtrip: RoundtripSummary? = nil) -> Result {
        var r = Result()
        r.evidence.append(evidence(send.transcript, id: send.evidenceID, title: "\(test.label) test sent to \(send.target)"))
        var ids = [send.evidenceID]
        if let rt = roundtrip {
            r.evidence.append(evidence(rt.imapTranscript, id: rt.evidenceID, title: "Watching \(rt.imapTarget) for \(rt.token)"))
            ids.append(rt.evidenceID)
        }
        let verdict = FilterClassifier.classify(send, placement: roundtrip?.placement)
        r.verdict = verdict
        let reply = send.dataReply.map { $0.wireLines.joined(separator: " ") } ?? ""
        let prefix = "flow.\(test.rawValue)."
        let finding: Finding?
        switch verdict {
        case .rejected:
            finding = raise(prefix + "rejected", send.target, "The \(test.filterKind) answered the end of DATA with: \(reply)", ids)
        case .deferred:
            finding = raise(prefix + "deferred", send.target, "Temporary refusal after the message: \(reply)", ids)
        case .quarantined:
            finding = raise(prefix + "quarantined", send.target,
                            "Accepted (\(reply)) and found in folder \(roundtrip?.folder ?? "?") after \(seconds(roundtrip?.afterAcceptanceMilliseconds)).", ids)
        case .delivered:
            finding = raise(prefix + "delivered", send.target,
                            "Accepted (\(reply)) and found in \(roundtrip?.folder ?? "INBOX") after \(seconds(roundtrip?.afterAcceptanceMilliseconds)).", ids)
        case .acceptedUnseen:
            var d = "Accepted: \(reply)" + (send.queueID.map { reply.contains($0) ? "" : " (queue id \($0))" } ?? "") + "."
            if case .notSeen(let w)? = roundtrip?.placement { d += " Not found in INBOX or a junk folder within \(Int(w)) s." }
            finding = raise(prefix + "accepted", send.target, d, ids)
        case .notTested:
            let why = send.failedReply.map { $0.wireLines.joined(separator: " ") } ?? send.failure ?? send.ending
            finding = raise("flow.filter.not-tested", send.target, "\(test.label) stopped at \(send.failedStage ?? "?"): \(why)", ids)
        }
        if let finding { r.findings.append(finding) }
        return r
    }

    /// Findings of an ordinary round trip: arrived (with delay and folder), slow, junk, lost,
    /// not accepted, IMAP failed, and failed checks in the receiver's Authentication-Results.
    public static func roundtrip(_ rt: RoundtripSummary, slowSeconds: Double = slowRoundtripSeconds) -> Result {
        var r = Result()
        var ids: [String] = []
        if let s = rt.submission {
            r.evidence.append(evidence(s.transcript, id: s.evidenceID, title: "Submission to \(s.target)"))
            ids.append(s.evidenceID)
        }
        r.evidence.append(evidence(rt.imapTranscript, id: rt.evidenceID, title: "Watching \(rt.imapTarget) for \(rt.token)"))
        ids.append(rt.evidenceID)
        let subject = rt.submission?.target ?? rt.imapTarget
        var out: [Finding?] = []
        switch rt.status {
        case "arrived":
            let e2e = (rt.endToEndMilliseconds ?? 0) / 1000
            let detail = "End to end \(seconds(rt.endToEndMilliseconds)) (submission \(seconds(rt.submissionMilliseconds)), "
                + "after acceptance \(seconds(rt.afterAcceptanceMilliseconds))), folder \(rt.folder ?? "?"), \(rt.received.count) Received hops."
            out.append(raise("flow.roundtrip.arrived", subject, detail, ids))
            if e2e > slowSeconds { out.append(raise("flow.roundtrip.slow", subject, detail + " Threshold \(Int(slowSeconds)) s.", ids)) }
            if rt.folderIsJunk { out.append(raise("flow.roundtrip.junk", subject, "Found in \(rt.folder ?? "?").", ids)) }
            let failed = rt.authenticationResults.flatMap { ar in
                ar.results.filter { ["fail", "softfail", "permerror", "temperror"].contains($0.result) }.map { m in
                    let props = m.properties.map { "\($0.type).\($0.name)=\($0.value)" }.joined(separator: " ")
                    return "\(ar.authservID): \(m.method)=\(m.result)" + (props.isEmpty ? "" : " " + props)
                }
            }
            if !failed.isEmpty { out.append(raise("flow.roundtrip.auth-failed", subject, failed.joined(separator: "; "), ids)) }
        case "notArrived":
            let q = rt.submission?.queueID.map { " (queue id \($0))" } ?? ""
            out.append(raise("flow.roundtrip.lost", subject, "Accepted\(q) but not in INBOX or a junk folder within \(Int(rt.arrivalTimeoutSeconds)) s.", ids))
        case "notAccepted":
            let s = rt.submission
            let why = s?.failedReply.map { $0.wireLines.joined(separator: " ") } ?? s?.failure ?? "?"
            out.append(raise("flow.roundtrip.not-accepted", subject, "Stopped at \(s?.failedStage ?? "?"): \(why)", ids))
        default:
            out.append(raise("flow.roundtrip.imap-failed", rt.imapTarget, rt.imapFailure ?? "IMAP failed", ids))
        }
        r.findings = out.compactMap { $0 }
        return r
    }

    public static func seconds(_ ms: Double?) -> String {
        guard let ms else { return "?" }
        return String(format: "%.2f s", ms / 1000)
    }
}
