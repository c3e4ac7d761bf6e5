import Foundation
import Testing
import MXRayCLI

/// `mxray logs --anomalies` end to end: a generated log with one injected brute-force episode.
@Suite(.serialized) struct LogsAnomaliesCLITests {
    /// Runs the CLI in-process with stdout sent to a file; returns (exit code, stdout).
    func runCLI(_ args: [String]) async throws -> (Int32, String) {
        let out = NSTemporaryDirectory() + "mxray-anomaly-out-\(getpid()).txt"
        fflush(nil)
        let saved = dup(1)
        let fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        dup2(fd, 1)
        close(fd)
        let code = await MXRayMain.run(args)
        fflush(nil)
        dup2(saved, 1)
        close(saved)
        defer { unlink(out) }
        return (code, try String(contentsOfFile: out, encoding: .utf8))
    }

    /// The JSON document in captured stdout. fd 1 is process-wide, so a line another suite prints
    /// while it is redirected can land before or after the document (the CLI writes the document
    /// in one write): keep the lines from the first `{` line to the last `}` line.
    static func jsonDocument(_ out: String) -> String {
        let lines = out.split(separator: "\n", omittingEmptySubsequences: false)
        guard let a = lines.firstIndex(where: { $0 == "{" }), let b = lines.lastIndex(where: { $0 == "}" }), a <= b else { return out }
        return lines[a...b].joined(separator: "\n")
    }

    struct Report: Decodable {
        struct Alert: Decodable {
            var series: String, detector: String, start: String, end: String?
            var observed: Double, expected: Double, expectedLow: Double, expectedHigh: Double, robustZ: Double
            var reason: String, evidence: [String]
        }
        var schema: String
        var detector: String
        var minutes: Int
        var alerts: [Alert]
    }

    @Test func bruteForceEpisodeIsOneExplainedAlert() async throws {
        var g = SyntheticMailLog(seed: 42)
        g.background(minutes: 6 * 60, rate: 5)
        g.bruteForce(from: 4 * 60, minutes: 12, perMinute: 14, address: "203.0.113.77")
        let path = try g.write()
        defer { unlink(path) }

        let (code, json) = try await runCLI(["logs", "--anomalies", "--format", "json", path])
        #expect(code == 0)
        let report = try JSONDecoder().decode(Report.self, from: Data(Self.jsonDocument(json).utf8))
        #expect(report.schema == "mxray.anomalies/1")
        #expect(report.minutes == 6 * 60)
        // One alert, on auth failures, opening within two minutes of the attack's start.
        #expect(report.alerts.count == 1, "\(report.alerts.map { "\($0.series) \($0.start)" })")
        let a = try #require(report.alerts.first)
        #expect(a.series == "auth failures")
        #expect(a.start == "2026-11-02T04:01:00Z" || a.start == "2026-11-02T04:00:00Z")
        #expect(a.end != nil)
        // Why: observed against the expected range, how unusual, and the raw lines behind it.
        #expect(a.observed >= 14 && a.observed <= 15)   // 14 attempts, maybe one mistyped password
        #expect(a.expected <= 1 && a.expectedHigh < 14)
        #expect(a.robustZ >= 5)
        #expect(a.reason.contains("auth failures 1") && a.reason.contains("is above the normal range"))
        #expect(!a.evidence.isEmpty && a.evidence.count <= 3)
        #expect(a.evidence.allSatisfy { $0.contains("203.0.113.77") })

        // The text rendering carries the same explanation.
        let (code2, text) = try await runCLI(["logs", "--anomalies", path])
        #expect(code2 == 0)
        #expect(text.contains("auth failures (rolling-baseline)"))
        #expect(text.contains("SASL LOGIN authentication failed") || text.contains("auth failed"))
    }

    /// `--detector` reaches the detector: KNN-CAD learns for two days, so on six hours of log it
    /// cannot alarm, while `combined` (the baseline from the start) and `baseline` report the attack.
    @Test func detectorFlagPicksTheDetector() async throws {
        var g = SyntheticMailLog(seed: 43)
        g.background(minutes: 6 * 60, rate: 5)
        g.bruteForce(from: 4 * 60, minutes: 12, perMinute: 14, address: "203.0.113.78")
        let path = try g.write()
        defer { unlink(path) }
        var seen: [String: Report] = [:]
        for choice in ["baseline", "knn", "combined"] {
            let (code, json) = try await runCLI(["logs", "--anomalies", "--format", "json", "--detector", choice, path])
            #expect(code == 0)
            seen[choice] = try JSONDecoder().decode(Report.self, from: Data(Self.jsonDocument(json).utf8))
        }
        #expect(seen["baseline"]?.detector == "baseline" && seen["knn"]?.detector == "knn" && seen["combined"]?.detector == "combined")
        #expect(seen["knn"]?.alerts.isEmpty == true, "\(seen["knn"]?.alerts.map(\.reason) ?? [])")
        #expect(seen["combined"]?.alerts.map(\.series) == ["auth failures"])
        #expect(seen["baseline"]?.alerts.map(\.series) == ["auth failures"])
        #expect(await MXRayMain.run(["logs", "--anomalies", "--detector", "oracle", path]) == 2)
    }

    @Test func anomaliesRefuseStdin() async {
        #expect(await MXRayMain.run(["logs", "--anomalies", "-"]) == 2)
    }
}
