import Diagnosis
import Foundation
@testable import MXRayServer
import Reporting
import Testing

/// `anomalies.detector` in the serve configuration reaches the probe-series detectors.
@Suite struct AnomalyDetectorConfigTests {
    static let base = """
        listen: 127.0.0.1:0
        targets: [{name: t, domain: good.lab.test}]
        """

    @Test func detectorKeyParsesAndIsChecked() throws {
        #expect(try ServeConfig.parse(yaml: Self.base).anomalies.detector == .baseline)
        for choice in LogAnomalies.DetectorChoice.allCases {
            let c = try ServeConfig.parse(yaml: Self.base + "\nanomalies: {detector: \(choice.rawValue)}\n")
            #expect(c.anomalies.detector == choice)
        }
        do {
            _ = try ServeConfig.parse(yaml: Self.base + "\nanomalies: {detector: oracle}\n")
            Issue.record("an unknown detector was accepted")
        } catch {
            #expect("\(error)".contains("anomalies.detector"))
        }
    }

    /// The server's ProbeIntel runs the configured detector: with `knn` (which learns from 600 runs)
    /// the slow runs that open an episode under `baseline` stay quiet.
    @Test func configuredDetectorReachesTheProbeSeries() async throws {
        func episodes(_ choice: LogAnomalies.DetectorChoice) async throws -> Int {
            let dir = try ServeTestSupport.tempDir("detector")
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let config = try ServeConfig.parse(yaml: Self.base + "\nhistory: {path: \(dir)/history.sqlite}\nanomalies: {detector: \(choice.rawValue)}\n")
            let context = try ServerContext(config: config)
            #expect(context.intel.detector == choice)
            var opened = 0
            for i in 0..<44 {
                let ms = i >= 40 ? 400 : ProbeIntelTests.normal(i)
                var run = try await context.history.record(target: "t", report: ProbeIntelTests.report(i, connectMs: ms))
                run.report = ProbeIntelTests.report(i, connectMs: ms)
                opened += context.intel.observe(run).events.filter { $0.status == .opened }.count
            }
            return opened
        }
        #expect(try await episodes(.baseline) >= 1)
        #expect(try await episodes(.combined) >= 1)
        #expect(try await episodes(.knn) == 0)
    }

    /// A restart rebuilds a KNN-CAD detector from its whole training set: with 625 quiet runs in
    /// the history, a new `ProbeIntel` (`knn`) opens an episode on the very next slow run. Rebuilt
    /// from the forecast's 150 runs only, it would stay untrained (and silent) for 450 more runs.
    @Test func knnDetectorIsRebuiltWholeAfterARestart() async throws {
        let dir = try ServeTestSupport.tempDir("knn-restart")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let history = try HistoryStore(path: dir + "/history.sqlite")
        for i in 0..<625 { _ = try await history.record(target: "t", report: ProbeIntelTests.report(i, connectMs: ProbeIntelTests.normal(i))) }
        let restarted = ProbeIntel(history: history, detector: .knn)
        var run = try await history.record(target: "t", report: ProbeIntelTests.report(625, connectMs: 400))
        run.report = ProbeIntelTests.report(625, connectMs: 400)
        let opened = restarted.observe(run).events.filter { $0.status == .opened }
        #expect(opened.map(\.episode.key.series) == ["connect_seconds"], "\(opened)")
        #expect(opened.first?.episode.alert.detector == "context-knn")
    }
}
