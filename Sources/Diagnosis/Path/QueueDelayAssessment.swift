import Foundation
import MailCore

/// The server's half of "mail arrives late" as a mail log shows it: how long messages waited
/// before and inside the queue manager (Postfix `delays=a/b/c/d`: a before the queue manager,
/// b in it, c connection setup, d transmission). Takes the figures, not the log, so it works on
/// any source (the log analyser, received headers).
public struct QueueDelayAssessment: Sendable {
    /// A p90 queue wait at or above this is the server's delay worth a finding.
    public var slowSeconds: Double

    public init(slowSeconds: Double = 60) { self.slowSeconds = slowSeconds }

    public struct Figures: Sendable, Hashable, Codable {
        public var messages: Int64
        public var beforeQueueManagerP90: Double
        public var inQueueManagerP90: Double
        public var connectionSetupP90: Double
        public var transmissionP90: Double

        public init(messages: Int64, beforeQueueManagerP90: Double, inQueueManagerP90: Double,
                    connectionSetupP90: Double, transmissionP90: Double) {
            self.messages = messages
            self.beforeQueueManagerP90 = beforeQueueManagerP90
            self.inQueueManagerP90 = inQueueManagerP90
            self.connectionSetupP90 = connectionSetupP90
            self.transmissionP90 = transmissionP90
        }
    }

    /// `server.queue.slow` when the p90 wait before or in the queue manager reaches the threshold.
    public func findings(_ f: Figures, subject: String, source: String) -> (findings: [Finding], evidence: Evidence) {
        let id = "queue:\(source)"
        let lines = [
            "\(f.messages) deliveries in \(source)",
            String(format: "p90 before the queue manager %.1f s, in the queue manager %.1f s, connection setup %.1f s, transmission %.1f s",
                   f.beforeQueueManagerP90, f.inQueueManagerP90, f.connectionSetupP90, f.transmissionP90),
        ]
        let evidence = Evidence(id: id, kind: .log, title: "Queue delays from \(source)", lines: lines)
        let wait = max(f.beforeQueueManagerP90, f.inQueueManagerP90)
        guard f.messages > 0, wait >= slowSeconds, let def = FindingCatalog.definition("server.queue.slow") else { return ([], evidence) }
        let stage = f.inQueueManagerP90 >= f.beforeQueueManagerP90 ? "in the queue manager (deferred mail, busy qmgr)" : "before the queue manager (content filter, cleanup)"
        let detail = String(format: "90 %% of messages waited up to %.0f s ", wait) + stage
            + String(format: "; the network part (connection setup + transmission) took up to %.1f s.", f.connectionSetupP90 + f.transmissionP90)
        return ([def.raise(subject: subject, detail: detail, evidence: [id])], evidence)
    }
}
