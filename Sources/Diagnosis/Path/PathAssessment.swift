import Foundation
import MailCore

/// The seed's thresholds for a mail path: RTT under 50 ms is good; more than 5 % loss means the
/// line needs checking. Configurable, defaults from the seed.
public struct PathThresholds: Sendable, Hashable, Codable {
    public var goodRTTMilliseconds: Double
    public var maxLoss: Double
    /// A greeting this much later than the TCP handshake is the server's delay, not the path's.
    public var slowBannerMilliseconds: Double

    public init(goodRTTMilliseconds: Double = 50, maxLoss: Double = 0.05, slowBannerMilliseconds: Double = 2000) {
        self.goodRTTMilliseconds = goodRTTMilliseconds
        self.maxLoss = maxLoss
        self.slowBannerMilliseconds = slowBannerMilliseconds
    }
}

/// What `mxray path` measured about one destination, with the plain verdict and findings.
public struct PathReport: Sendable, Codable {
    public enum Verdict: String, Sendable, Codable {
        case good
        /// Loss is fine, RTT is 50 ms or more: mail works, interactive steps are slower.
        case slow
        /// Loss above the threshold: the line needs checking.
        case lossy
        /// Nothing answered.
        case unreachable
    }

    public var host: String
    public var address: String
    public var port: Int
    public var statistics: PathStatistics
    public var thresholds: PathThresholds
    public var verdict: Verdict
    /// One sentence an admin reads first.
    public var summary: String
    /// SMTP greeting delay after the handshake (ms), when the port answered with a banner.
    public var bannerDelayMilliseconds: Double?
    public var findings: [Finding]
    public var evidence: [Evidence]
}

/// Turns samples into a `PathReport`: statistics, verdict, findings with evidence.
public struct PathAssessment: Sendable {
    public var thresholds: PathThresholds

    public init(thresholds: PathThresholds = PathThresholds()) { self.thresholds = thresholds }

    public func assess(host: String, address: String, port: Int, samples: [PathSample], probeTimeout: Double,
                       schedule: SYNSchedule = SYNSchedule(), confidence: Double = 0.95,
                       bannerDelayMilliseconds: Double? = nil) -> PathReport {
        let stats = PathStatistics(samples, schedule: schedule, probeTimeout: probeTimeout, confidence: confidence)
        let subject = "\(host == address ? address : "\(host)[\(address)]"):\(port)"
        let evidenceID = "path:\(address):\(port)"
        let evidence = Evidence(id: evidenceID, kind: .note, title: "TCP connect timings to \(address):\(port)",
                                lines: Self.evidenceLines(samples, stats))
        var findings: [Finding] = []
        let verdict: PathReport.Verdict
        let loss = stats.packetLoss
        let lossText = Self.percentText(loss)
        var summary: String
        if stats.answered == 0 {
            verdict = .unreachable
            summary = "No connect to \(address):\(port) was answered (\(stats.timedOut) timed out, \(stats.unreachable) unreachable)."
            findings.append(def("path.unreachable").raise(subject: subject, detail: summary, evidence: [evidenceID]))
        } else {
            let median = stats.rttMedian ?? 0
            let rttText = String(format: "median RTT %.1f ms", median)
            if loss.value > thresholds.maxLoss {
                verdict = .lossy
                summary = "Loss \(lossText) is above \(Self.pct(thresholds.maxLoss)): have the line checked (\(rttText))."
            } else if median >= thresholds.goodRTTMilliseconds {
                verdict = .slow
                summary = "RTT is high (\(rttText), good is under \(Int(thresholds.goodRTTMilliseconds)) ms); loss \(lossText)."
            } else {
                verdict = .good
                summary = "Good path: \(rttText), loss \(lossText)."
            }
            if loss.value > thresholds.maxLoss {
                let confident = loss.lower > thresholds.maxLoss ? "" : " (the interval reaches below the threshold: sample more with --count to be sure)"
                findings.append(def("path.loss.high").raise(subject: subject, detail: "Estimated packet loss \(lossText) from SYN retransmissions\(confident).", evidence: [evidenceID]))
            }
            if median >= thresholds.goodRTTMilliseconds {
                findings.append(def("path.rtt.high").raise(subject: subject, detail: String(format: "Median connect RTT %.1f ms (p90 %.1f ms); good is under %.0f ms.", median, stats.rttP90 ?? median, thresholds.goodRTTMilliseconds), evidence: [evidenceID]))
            }
            if verdict == .good {
                findings.append(def("path.good").raise(subject: subject, detail: summary, evidence: [evidenceID]))
            }
        }
        if let banner = bannerDelayMilliseconds, banner >= thresholds.slowBannerMilliseconds {
            findings.append(def("server.banner.slow").raise(subject: subject, detail: String(format: "The greeting came %.0f ms after the TCP handshake: the server, not the path, is slow.", banner), evidence: [evidenceID]))
            summary += String(format: " The server greets %.1f s after connecting.", banner / 1000)
        }
        return PathReport(host: host, address: address, port: port, statistics: stats, thresholds: thresholds,
                          verdict: verdict, summary: summary, bannerDelayMilliseconds: bannerDelayMilliseconds,
                          findings: findings, evidence: [evidence])
    }

    func def(_ id: String) -> FindingDefinition {
        guard let d = FindingCatalog.definition(id) else { preconditionFailure("finding \(id) missing from the catalog") }
        return d
    }

    static func pct(_ v: Double) -> String {
        let p = v * 100
        return p == p.rounded() ? "\(Int(p)) %" : String(format: "%.1f %%", p)
    }

    /// `8.2 % (95 % interval 4.1–15.6 %)`
    static func percentText(_ e: ProportionEstimate) -> String {
        String(format: "%.1f %% (%.0f %% interval %.1f–%.1f %%)", e.value * 100, e.confidence * 100, e.lower * 100, e.upper * 100)
    }

    static func evidenceLines(_ samples: [PathSample], _ stats: PathStatistics) -> [String] {
        var lines = ["retransmission buckets (answered after k SYN retransmissions): "
                     + stats.buckets.enumerated().map { "k=\($0.offset): \($0.element)" }.joined(separator: ", ")]
        for s in samples.sorted(by: { $0.startMilliseconds < $1.startMilliseconds }).prefix(200) {
            lines.append(String(format: "+%.0f ms  ", s.startMilliseconds) + s.outcome.rawValue + String(format: " after %.1f ms", s.milliseconds)
                         + (s.detail.map { " (\($0))" } ?? ""))
        }
        if samples.count > 200 { lines.append("… \(samples.count - 200) more") }
        return lines
    }
}
