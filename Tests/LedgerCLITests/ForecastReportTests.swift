import Foundation
import Testing
@testable import Diagnosis
import LabSupport
import Ledger
import MailCore
import MailWire
@testable import MXRayCLI

/// Forecasts wired into `mxray check` reports: `ForecastAnalysis` on synthetic reports with a
/// known answer, and one real check of the lab with `--ledger`.
@Suite struct ForecastReportTests {
    static let day = 86_400.0

    static func report(at t: Double, connectMs: Double, notAfter: Double) throws -> Report {
        var p = PortObservation(address: "127.0.20.1", host: "mx1.good.lab.test", port: 25, service: .smtp,
                                connect: ConnectObservation(state: .open, milliseconds: connectMs), transcript: Transcript(label: "test"))
        var tls = TLSObservation(mode: .startTLS)
        tls.leafNotAfter = notAfter
        p.tls = tls
        let at = Date(timeIntervalSince1970: t)
        return Report(target: try CheckTarget.parse("good.lab.test"), resolvers: [], startedAt: at, finishedAt: at, ports: [p])
    }

    /// Connect time rising 100 ms a day (100, 200, … 800 ms over eight daily checks): the
    /// 1000 ms limit is reached two days after the last check, well inside the 7-day horizon.
    @Test func risingLatencyAndCertificateExpiryBecomeFindings() throws {
        let t0 = 1_790_000_000.0
        let notAfter = t0 + 30 * Self.day
        let history = try (0..<7).map { ForecastAnalysis.observation(of: try Self.report(at: t0 + Double($0) * Self.day, connectMs: 100 + 100 * Double($0), notAfter: notAfter)) }
        let now = try Self.report(at: t0 + 7 * Self.day, connectMs: 800, notAfter: notAfter)
        let r = ForecastAnalysis.apply(to: now, history: history)
        let rising = try #require(r.findings.first { $0.id == "forecast.latency.rising" })
        #expect(rising.severity == .warning && rising.subject == "mx1.good.lab.test:25")
        #expect(rising.detail.contains("rising 100.0 ms/day"), "\(rising.detail)")
        let expectedCrossing = ForecastAnalysis.iso(t0 + 9 * Self.day)
        #expect(rising.detail.contains(String(expectedCrossing.prefix(13))), "\(rising.detail) vs \(expectedCrossing)")
        let expiry = try #require(r.findings.first { $0.id == "forecast.cert.expiry" })
        #expect(expiry.detail.contains("(23.0 days)"), "\(expiry.detail)")
        // Every forecast finding points at an evidence note with the numbers.
        for f in r.findings where f.id.hasPrefix("forecast.") {
            #expect(f.evidenceIDs.allSatisfy { id in r.evidence.contains { $0.id == id && !$0.lines.isEmpty } })
        }
        // A flat series gives the info-level trend, not a warning.
        let flat = try (0..<7).map { ForecastAnalysis.observation(of: try Self.report(at: t0 + Double($0) * Self.day, connectMs: 50 + Double($0 % 2), notAfter: notAfter)) }
        let calm = ForecastAnalysis.apply(to: try Self.report(at: t0 + 7 * Self.day, connectMs: 50, notAfter: notAfter), history: flat)
        #expect(calm.findings.contains { $0.id == "forecast.latency.trend" } && !calm.findings.contains { $0.id == "forecast.latency.rising" })
    }

    /// A renewal learnt from history that did not happen on time is a warning.
    @Test func overdueRenewalFromHistory() throws {
        let t0 = 1_790_000_000.0
        var history: [ForecastObservation] = []
        for d in 0..<100 {
            let na = d < 60 ? t0 + 90 * Self.day : t0 + 150 * Self.day
            history.append(ForecastAnalysis.observation(of: try Self.report(at: t0 + Double(d) * Self.day, connectMs: 10, notAfter: na)))
        }
        let late = ForecastAnalysis.apply(to: try Self.report(at: t0 + 125 * Self.day, connectMs: 10, notAfter: t0 + 150 * Self.day), history: history)
        #expect(late.findings.contains { $0.id == "forecast.cert.renewal-overdue" && $0.severity == .warning })
    }

    /// The lab: `mxray check good.lab.test --ledger L` twice; each run appends a `report` entry
    /// whose finding list includes the certificate expiry forecast, and the ledger verifies.
    @Test func checkWithLedgerAgainstTheLab() async throws {
        let lab = try LabEnvironment.require()
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("mxray-forecast-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: d) }
        let ledger = d + "/checks.ledger"
        for _ in 0..<2 {
            let code = await MXRayMain.run(["check", "good.lab.test", "--resolver", lab.resolver, "--ca-file", lab.caFile,
                                            "--no-tls-scan", "--format", "json", "--ledger", ledger])
            #expect(code == 0 || code == 1)
        }
        let scan = try LedgerFile.read(path: ledger)
        #expect(scan.entries.count == 2 && scan.entries.allSatisfy { $0.entry.kind == "report" })
        let last = try #require(scan.entries.last).entry.payloadText
        #expect(last.contains("forecast.cert.expiry") && last.contains("good.lab.test"), "\(last.prefix(400))")
        #expect(LedgerVerification.verify(scan, key: nil).isValid)
    }
}
