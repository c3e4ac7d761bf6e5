import ArgumentParser
import Diagnosis
import DNSWire
import Foundation
import MailLogs
import NIOCore
import Probes
import Reporting

/// `mxray path HOST[:PORT]`: path quality from TCP connect timings.
struct PathCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "path",
        abstract: "Measure the network path to a mail host: RTT, jitter and loss from TCP connect timings.",
        discussion: """
        Opens many plain TCP connections (no data) to one address and port and times each from
        connect() to the answer. A SYN-ACK and a reset both count as answered: the path carried
        the SYN and the reply. A connect answered only after the kernel retransmitted its SYN
        (after 1 s, then 3 s in all: RFC 6298; Linux 6.5+ retransmits at 1-s steps first, per
        net.ipv4.tcp_syn_linear_timeouts, which is read) shows a lost packet, so loss is estimated from
        how many connects fall into each retransmission bucket, with a Wilson confidence
        interval; it assumes both directions lose alike. RTT is min/median/p90/max of the
        answered attempts, jitter smoothed as in RFC 3550 §6.4.1.

        Verdict against the usual thresholds: RTT under 50 ms is good; loss above 5 % means the
        line needs checking. On an SMTP port that answers, the greeting's delay after the
        handshake is measured too: a slow greeting on a fast path is the server, not the path;
        --log adds the queue delays from the server's mail log (Postfix delays=).

        Exit codes: 0 no finding at or above --fail-on, 1 findings at or above it, 2 usage error,
        3 could not run (the name does not resolve).

        Examples:
          mxray path mx1.example.org
          mxray path 192.0.2.25:587 --count 200
          mxray path mx1.example.org --log /var/log/mail.log
          mxray path [2001:db8::25]:25 --format json
        """
    )

    @Argument(help: "HOST[:PORT] (port 25 unless given; IPv6 as [ADDR]:PORT).")
    var target: String

    @Option(help: "Number of TCP connects (more samples narrow the loss interval).")
    var count: Int = 100

    @Option(help: "Connects in flight at once.")
    var concurrency: Int = 8

    @Option(help: "Seconds to wait for one connect; long enough to see SYN retransmissions (sent after 1 s, 3 s…).")
    var timeout: Double = 8

    @Option(help: "Confidence level of the loss interval (e.g. 0.95, 0.99).")
    var confidence: Double = 0.95

    @Option(help: "A DNS server HOST[:PORT] to resolve a host name with (default: the system resolver).")
    var resolver: String?

    @Flag(name: .customLong("no-banner"), help: "Do not read the SMTP greeting to time the server.")
    var noBanner = false

    @Option(name: .customLong("log"), help: "The server's mail log (Postfix, Exim…): its queue delays tell a slow server from a slow path; repeatable.")
    var logs: [String] = []

    @Option(help: "Output format: text or json.")
    var format: String = "text"

    @Option(name: .customLong("fail-on"), help: "Exit 1 when a finding is at or above this severity (pass, info, notice, warning, error, critical).")
    var failOn: String = "error"

    func validate() throws {
        do { _ = try PathTarget.parse(target) } catch { throw ValidationError(error.description) }
        guard (1...10_000).contains(count) else { throw ValidationError("--count must be 1…10000") }
        guard (1...64).contains(concurrency) else { throw ValidationError("--concurrency must be 1…64") }
        guard timeout >= 0.1, timeout <= 120 else { throw ValidationError("--timeout must be between 0.1 and 120 seconds") }
        guard confidence > 0.5, confidence < 1 else { throw ValidationError("--confidence must be between 0.5 and 1 (e.g. 0.95)") }
        if let resolver, DNSServerAddress(parsing: resolver) == nil { throw ValidationError("--resolver '\(resolver)' is not HOST[:PORT] with an IP address") }
        guard ["text", "json"].contains(format) else { throw ValidationError("--format must be text or json, not '\(format)'") }
        guard Severity(rawValue: failOn) != nil else { throw ValidationError("--fail-on must be one of \(Severity.allCases.map(\.rawValue).joined(separator: ", "))") }
    }

    func run() async throws {
        let parsed = try PathTarget.parse(target)
        let address: String
        if let ip = parsed.address {
            address = ip.description
        } else {
            // The first address of the name; run again with an address to measure another.
            address = try await HostResolution.targets(for: parsed.host, resolver: resolver)[0].address
        }
        var o = ConnectTimingOptions()
        o.count = count
        o.concurrency = concurrency
        o.timeout = .nanoseconds(Int64(timeout * 1e9))
        o.readBanner = !noBanner
        let result = await ConnectTimingSampler(options: o).run(address: address, port: parsed.port)
        let samples = result.timings.map(PathCommand.sample)
        var report = PathAssessment().assess(host: parsed.host, address: address, port: parsed.port, samples: samples,
                                             probeTimeout: timeout,
                                             schedule: SYNSchedule(linearTimeouts: ConnectTimingSampler.synLinearTimeouts(),
                                                                   maxRetransmissions: ConnectTimingSampler.synRetries()),
                                             confidence: confidence,
                                             bannerDelayMilliseconds: result.bannerMilliseconds)
        if !logs.isEmpty {
            // The server's queue delays (Postfix delays=a/b/c/d) from its own log.
            let summary: LogSummary
            do { summary = try LogRunner().run(logs) } catch { throw MXRayError.couldNotRun("cannot read \(logs.joined(separator: ", ")): \(error)") }
            let d = summary.delays
            let figures = QueueDelayAssessment.Figures(messages: d.total.count, beforeQueueManagerP90: d.beforeQueueManager.p90,
                                                       inQueueManagerP90: d.inQueueManager.p90, connectionSetupP90: d.connectionSetup.p90,
                                                       transmissionP90: d.transmission.p90)
            let (f, e) = QueueDelayAssessment().findings(figures, subject: parsed.host, source: logs.joined(separator: ", "))
            report.findings += f
            report.evidence.append(e)
            if !f.isEmpty { report.summary += " Messages wait in the server's queue (see the log)." }
        }
        print(format == "json" ? try NetReportRenderer.json(report) : NetReportRenderer.text(report))
        let threshold = Severity(rawValue: failOn) ?? .error
        if report.findings.contains(where: { $0.severity >= threshold }) { throw FindingsExit(1) }
    }

    /// Probes' timing → the pure sample the statistics read.
    static func sample(_ t: ConnectTiming) -> PathSample {
        let outcome: PathSample.Outcome
        switch t.outcome {
        case .open: outcome = .open
        case .reset: outcome = .reset
        case .timeout: outcome = .timeout
        case .unreachable, .error: outcome = .unreachable
        }
        return PathSample(startMilliseconds: t.startMilliseconds, milliseconds: t.milliseconds, outcome: outcome, detail: t.detail)
    }
}
