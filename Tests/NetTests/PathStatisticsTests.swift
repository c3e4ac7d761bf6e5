import Reporting
import Testing
@testable import Diagnosis

func answered(_ ms: [Double], step: Double = 100) -> [PathSample] {
    ms.enumerated().map { PathSample(startMilliseconds: Double($0.offset) * step, milliseconds: $0.element, outcome: .reset) }
}

@Suite("Path statistics")
struct PathStatisticsTests {
    @Test("RFC 3550 §6.4.1 jitter: J += (|D| − J)/16 over consecutive RTTs")
    func jitter() throws {
        // D = 10 each time: 0.625, 1.2109375, 1.76025390625.
        let j = try #require(PathStatistics.jitter([10, 20, 10, 20]))
        #expect(abs(j - 1.76025390625) < 1e-12)
        #expect(PathStatistics.jitter([5]) == nil)
        #expect(PathStatistics.jitter([7, 7, 7]) == 0)
    }

    @Test("Wilson interval on known values")
    func wilson() {
        let zero = ProportionEstimate.wilson(0, of: 10)
        #expect(zero.lower == 0)
        #expect(abs(zero.upper - 0.2775) < 0.0005)
        let half = ProportionEstimate.wilson(5, of: 10)
        #expect(abs(half.lower - 0.2366) < 0.0005)
        #expect(abs(half.upper - 0.7634) < 0.0005)
        let ten = ProportionEstimate.wilson(10, of: 100)
        #expect(abs(ten.lower - 0.0552) < 0.0005)
        #expect(abs(ten.upper - 0.1744) < 0.0005)
        // 99 % is wider than 95 %.
        let wide = ProportionEstimate.wilson(10, of: 100, confidence: 0.99)
        #expect(wide.lower < ten.lower && wide.upper > ten.upper)
        #expect(abs(ProportionEstimate.normalQuantile(0.975) - 1.959964) < 1e-5)
        #expect(ProportionEstimate.wilson(0, of: 0).upper == 1)
    }

    @Test("SYN schedule: sent at 0, 1, 3, 7, 15 s; buckets split halfway between send times")
    func buckets() {
        let s = SYNSchedule()
        #expect((0...4).map(s.sendTime) == [0, 1, 3, 7, 15])
        #expect(s.bucket(seconds: 0.08, baseRTT: 0.08) == 0)
        #expect(s.bucket(seconds: 0.50, baseRTT: 0.08) == 0)  // 420 ms of jitter: still the first SYN
        #expect(s.bucket(seconds: 0.62, baseRTT: 0.08) == 1)
        #expect(s.bucket(seconds: 1.08, baseRTT: 0.08) == 1)
        #expect(s.bucket(seconds: 3.09, baseRTT: 0.08) == 2)
        #expect(s.bucket(seconds: 7.10, baseRTT: 0.08) == 3)
        #expect(s.attemptsSent(within: 8) == 4)
        #expect(s.attemptsSent(within: 0.5) == 1)
        // Linux 6.5+ with tcp_syn_linear_timeouts = 4: RTOs 1, 1, 1, 1, 1, 2, 4 (kernel docs).
        let linux = SYNSchedule(linearTimeouts: 4)
        #expect((0...7).map(linux.sendTime) == [0, 1, 2, 3, 4, 5, 7, 11])
        #expect(linux.bucket(seconds: 2.09, baseRTT: 0.08) == 2)
        #expect(linux.bucket(seconds: 5.1, baseRTT: 0.08) == 5)
        #expect(linux.bucket(seconds: 7.1, baseRTT: 0.08) == 6)
        #expect(linux.attemptsSent(within: 8) == 7)
    }

    @Test("90 first-SYN answers and 10 after one retransmission: loss from attempts, RTT corrected")
    func retransmissions() throws {
        let samples = answered(Array(repeating: 80, count: 90) + Array(repeating: 1080, count: 10))
        let st = PathStatistics(samples, probeTimeout: 8)
        #expect(st.buckets == [90, 10])
        #expect(st.roundTripLoss.successes == 10 && st.roundTripLoss.trials == 110)
        #expect(abs(st.roundTripLoss.value - 10.0 / 110) < 1e-12)
        #expect(abs(st.packetLoss.value - (1 - (1 - 10.0 / 110).squareRoot())) < 1e-12)
        // The retransmitted connects measured 1080 ms; their RTT is 80 ms.
        #expect(st.rttMax == 80 && st.rttMedian == 80 && st.rttMin == 80)
        #expect(st.jitter == 0)
    }

    @Test("a timeout counts every SYN sent before the deadline as lost")
    func censored() {
        var samples = answered(Array(repeating: 20, count: 9))
        samples.append(PathSample(startMilliseconds: 5000, milliseconds: 8000, outcome: .timeout))
        let st = PathStatistics(samples, probeTimeout: 8)
        #expect(st.timedOut == 1)
        #expect(st.roundTripLoss.successes == 4 && st.roundTripLoss.trials == 13)
    }

    @Test("quantiles interpolate between closest ranks")
    func quantiles() {
        let st = PathStatistics(answered([10, 20, 30, 40, 50, 60, 70, 80, 90, 100]), probeTimeout: 8)
        #expect(st.rttMedian == 55)
        #expect(abs((st.rttP90 ?? 0) - 91) < 1e-9)
        #expect(PathStatistics.quantile([], 0.5) == nil)
    }

    @Test("verdicts against the seed's thresholds")
    func verdicts() {
        let a = PathAssessment()
        let good = a.assess(host: "h", address: "192.0.2.1", port: 25, samples: answered(Array(repeating: 12, count: 100)), probeTimeout: 8)
        #expect(good.verdict == .good)
        #expect(good.findings.map(\.id) == ["path.good"])
        let slow = a.assess(host: "h", address: "192.0.2.1", port: 25, samples: answered(Array(repeating: 80, count: 100)), probeTimeout: 8)
        #expect(slow.verdict == .slow)
        #expect(slow.findings.map(\.id) == ["path.rtt.high"])
        let lossy = a.assess(host: "h", address: "192.0.2.1", port: 25,
                             samples: answered(Array(repeating: 20, count: 70) + Array(repeating: 1020, count: 30)), probeTimeout: 8)
        #expect(lossy.verdict == .lossy)
        #expect(lossy.findings.map(\.id) == ["path.loss.high"])
        let dead = a.assess(host: "h", address: "192.0.2.1", port: 25,
                            samples: [PathSample(startMilliseconds: 0, milliseconds: 8000, outcome: .timeout)], probeTimeout: 8)
        #expect(dead.verdict == .unreachable)
        #expect(dead.findings.map(\.id) == ["path.unreachable"])
        let banner = a.assess(host: "h", address: "192.0.2.1", port: 25, samples: answered([5, 5, 5]), probeTimeout: 8,
                              bannerDelayMilliseconds: 5000)
        #expect(banner.findings.map(\.id).contains("server.banner.slow"))
        // Every finding carries evidence, and the evidence exists.
        for r in [good, slow, lossy, dead, banner] {
            for f in r.findings { #expect(!f.evidenceIDs.isEmpty && f.evidenceIDs.allSatisfy { id in r.evidence.contains { $0.id == id } }) }
        }
    }

    @Test("the text report shows the figures, the SYN schedule and the verdict")
    func rendered() throws {
        let r = PathAssessment().assess(host: "mx1.example.test", address: "192.0.2.1", port: 25,
                                        samples: answered(Array(repeating: 80, count: 90) + Array(repeating: 1080, count: 10)),
                                        probeTimeout: 8, schedule: SYNSchedule(linearTimeouts: 4))
        let text = NetReportRenderer.text(r)
        #expect(text.contains("RTT min / median / p90 / max") && text.contains("80.0 ms / 80.0 ms / 80.0 ms / 80.0 ms"))
        #expect(text.contains("k=0: 90, k=1: 10"))
        #expect(text.contains("SYNs leave at 0, 1, 2, 3, 4, 5, 7 s"))
        #expect(text.contains("Verdict: slow"))
        #expect(try NetReportRenderer.json(r).contains("\"schema\" : \"mxray.path/1\""))
    }

    @Test("HOST[:PORT] parsing")
    func targets() throws {
        #expect(try PathTarget.parse("mx1.example.org") == PathTarget(host: "mx1.example.org", port: 25, address: nil))
        #expect(try PathTarget.parse("192.0.2.1:587").port == 587)
        let v6 = try PathTarget.parse("[2001:db8::1]:465")
        #expect(v6.port == 465 && v6.address?.isIPv6 == true)
        #expect(try PathTarget.parse("2001:db8::1").port == 25)
        #expect(throws: PathTarget.ParseError.self) { try PathTarget.parse("host:0") }
        #expect(throws: PathTarget.ParseError.self) { try PathTarget.parse("[::1") }
        #expect(throws: PathTarget.ParseError.self) { try PathTarget.parse("") }
        #expect(throws: PathTarget.ParseError.self) { try PathTarget.parse("bad host:25") }
    }
}

@Suite("Latency fault tree")
struct LatencyTreeTests {
    func conclude(_ ids: [String]) -> FaultTreeConclusion {
        let fs = ids.map { FindingCatalog.definition($0)!.raise(subject: "mx1.example.test[192.0.2.1]:25", detail: "t", evidence: ["e"]) }
        return FaultTreeEvaluator().evaluate(FaultObservations(findings: fs), symptom: .delay)[0]
    }

    @Test("slow path: loss ranks as the cause of late mail")
    func slowPath() {
        let c = conclude(["path.loss.high", "path.rtt.high"])
        #expect(c.rootCauses.first?.id == "delay.path.loss")
        #expect(c.rootCauses.map(\.id).contains("delay.path.rtt"))
        #expect(!c.rootCauses.contains { $0.id.hasPrefix("delay.server.") })
    }

    @Test("slow server: a late greeting on a good path points at the server")
    func slowServer() {
        let c = conclude(["server.banner.slow", "path.good"])
        #expect(c.rootCauses.map(\.id) == ["delay.server.banner"])
        let q = conclude(["server.queue.slow"])
        #expect(q.rootCauses.map(\.id) == ["delay.server.queue"])
    }

    @Test("queue delays from a log: a long wait in the queue manager is the server's delay")
    func queue() {
        let a = QueueDelayAssessment()
        let slow = a.findings(.init(messages: 40, beforeQueueManagerP90: 0.2, inQueueManagerP90: 300, connectionSetupP90: 0.1, transmissionP90: 0.3),
                              subject: "mx1.example.test", source: "mail.log")
        #expect(slow.findings.map(\.id) == ["server.queue.slow"])
        #expect(slow.findings[0].detail.contains("in the queue manager"))
        #expect(slow.findings[0].evidenceIDs == [slow.evidence.id])
        let fast = a.findings(.init(messages: 40, beforeQueueManagerP90: 0.2, inQueueManagerP90: 1, connectionSetupP90: 0.1, transmissionP90: 0.3),
                              subject: "mx1.example.test", source: "mail.log")
        #expect(fast.findings.isEmpty)
        #expect(conclude(slow.findings.map(\.id)).rootCauses.first?.id == "delay.server.queue")
    }

    @Test("the latency branches joined the one delay tree")
    func joined() {
        let tree = FaultTrees.tree(.delay)
        #expect(tree.branches.contains { $0.title.hasPrefix("Network path") })
        #expect(tree.causes.contains { $0.id == "delay.dane.mismatch" })
        #expect(FaultTrees.all.filter { $0.symptom == .delay }.count == 1)
    }
}
