import MailCore

extension FaultTrees {
    /// "Mail arrives late": is it the path or the server? The path's share shows in TCP connect
    /// timings (`mxray path`: RTT and loss from SYN retransmissions); the server's share in the
    /// delay between the TCP handshake and the SMTP greeting, and in queue delays seen in headers
    /// or logs. These branches join the delay tree (see `FaultTrees.all`).
    public static let latency = FaultTree(symptom: .delay, branches: [
        FaultBranch("Network path (slow path)", [
            CauseDefinition(id: "delay.path.loss", title: "Packets are lost on the way to the MX",
                explanation: "Every lost SYN or segment costs a retransmission timeout (1 s at first, more when lost again): SMTP sessions stall, senders time out and retry later.",
                fix: "Have the line checked (error counters, congestion, the provider); until then, expect retries.",
                condition: .finding("path.loss.high"), weight: 75,
                references: [RFCRef(6298, "2"), RFCRef(6298, "5")]),
            CauseDefinition(id: "delay.path.rtt", title: "The round-trip time to the MX is high",
                explanation: "An SMTP transaction takes a dozen round trips (more with TLS); a long RTT multiplies into seconds per message and into timeouts on slow senders.",
                fix: "Check the route (traceroute) and the provider; place a relay closer to the senders if the distance is real.",
                condition: .finding("path.rtt.high"), weight: 35),
        ]),
        FaultBranch("The server itself (slow server)", [
            CauseDefinition(id: "delay.server.queue", title: "Messages wait in the server's queue",
                explanation: "The time goes between receipt and delivery: deferred deliveries, a slow content filter or a busy queue manager.",
                fix: "Read the deferral reasons in the queue (postqueue -p) and the log's delays= fields; fix the slowest stage.",
                condition: .finding("server.queue.slow"), weight: 75, references: [RFCRef(5321, "4.5.4.1")]),
            CauseDefinition(id: "delay.server.banner", title: "The MX greets late although the network is fast",
                explanation: "The TCP handshake is quick but the 220 greeting is not: greet pauses, client reverse-DNS lookups or an overloaded server hold every sender.",
                fix: "Check postscreen_greet_wait / smtpd delays, the resolver the server uses for client lookups, and the server's load.",
                condition: .finding("server.banner.slow"), weight: 70, references: [RFCRef(5321, "4.5.3.2")]),
        ]),
    ])

    /// The delay tree with the latency branches joined in: one tree per symptom.
    static func joined(_ tree: FaultTree, _ extra: FaultTree) -> FaultTree {
        FaultTree(symptom: tree.symptom, branches: tree.branches + extra.branches)
    }
}
