import Foundation
import Testing
import LabSupport
@testable import MailLogs

/// mxray against pflogsumm (Debian's pflogsumm 1.1.5) on the same Postfix logs: every Grand
/// Total must equal pflogsumm's once the lines pflogsumm is known to miss (docs/logs.md) are
/// taken out, and the fixture's totals are checked against hand-counted values.
@Suite struct PflogsummComparisonTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/logs").path

    /// pflogsumm's Grand Totals as numbers (`1234k` units are expanded, so compare only below 512k).
    static func pflogsumm(_ path: String) throws -> [String: Int64] {
        let r = try LabEnvironment.run(["pflogsumm", "--problems-first", path], timeout: 120)
        #expect(r.status == 0, "pflogsumm failed: \(r.output.prefix(200))")
        var out: [String: Int64] = [:]
        var inTotals = false
        for line in r.output.split(separator: "\n") {
            if line.hasPrefix("Grand Totals") { inTotals = true; continue }
            if inTotals, line.hasPrefix("Per-") || line.hasPrefix("Per ") || line.hasPrefix("smtpd") { break }
            guard inTotals else { continue }
            let parts = line.trimmingCharacters(in: .whitespaces).split(separator: " ", maxSplits: 1)
            guard parts.count == 2 else { continue }
            var num = String(parts[0]); var mult: Int64 = 1
            if num.hasSuffix("k") { mult = 1024; num.removeLast() } else if num.hasSuffix("m") { mult = 1 << 20; num.removeLast() }
            guard let v = Int64(num) else { continue }
            var name = parts[1].trimmingCharacters(in: .whitespaces)
            if let paren = name.firstIndex(of: "(") { name = String(name[..<paren]).trimmingCharacters(in: .whitespaces) }
            out[name] = v * mult
            if let r = parts[1].range(of: "(") , parts[1].contains("deferrals") {
                out["deferrals"] = Int64(parts[1][r.upperBound...].split(separator: " ").first ?? "") ?? 0
            }
        }
        return out
    }

    static func compare(_ s: LogSummary, _ p: [String: Int64], sourceLocation: SourceLocation = #_sourceLocation) {
        let t = s.totals, d = s.pflogsummDifferences
        let expected: [(String, Int64)] = [
            ("received", t.received - d.receivedUnseen), ("delivered", t.delivered - d.deliveredUnseen),
            ("forwarded", t.forwarded), ("deferred", t.deferred - d.deferredUnseen),
            ("deferrals", t.deferrals - d.deferralsUnseen), ("bounced", t.bounced - d.bouncedUnseen),
            ("rejected", t.rejected - d.rejectedUnseen), ("reject warnings", t.rejectWarnings), ("held", t.held),
            ("discarded", t.discarded), ("bytes received", t.bytesReceived - d.bytesReceivedUnseen),
            ("bytes delivered", t.bytesDelivered - d.bytesDeliveredUnseen),
        ]
        for (name, mine) in expected {
            let theirs = p[name] ?? (name == "deferrals" ? 0 : -1)
            if theirs >= 512 * 1024 { #expect(abs(mine - theirs) < 1 << 20, "\(name): mxray \(mine) vs pflogsumm \(theirs)", sourceLocation: sourceLocation); continue }
            #expect(mine == theirs, "\(name): mxray (adjusted) \(mine) vs pflogsumm \(theirs)", sourceLocation: sourceLocation)
        }
        let clean = d == LogSummary.PflogsummDifferences()
        for (name, mine) in [("senders", t.senders), ("sending hosts/domains", t.sendingDomains), ("recipients", t.recipients), ("recipient hosts/domains", t.recipientDomains)] {
            let theirs = p[name] ?? -1
            if clean { #expect(mine == theirs, "\(name): mxray \(mine) vs pflogsumm \(theirs)", sourceLocation: sourceLocation) }
            else { #expect(mine >= theirs, "\(name): mxray \(mine) < pflogsumm \(theirs)", sourceLocation: sourceLocation) }
        }
    }

    @Test func fixtureTotalsAreRightAndMatchPflogsumm() throws {
        var r = LogRunner()
        r.year = 2026
        let s = try r.run([Self.fixtures + "/postfix-mixed.log"])
        let t = s.totals
        // Hand-counted: see the fixture's comments in docs/logs.md.
        #expect(t.received == 6)
        #expect(t.delivered == 5)
        #expect(t.deferred == 1 && t.deferrals == 3)
        #expect(t.bounced == 2)
        #expect(t.rejected == 6)
        #expect(t.rejectWarnings == 1 && t.discarded == 1 && t.held == 0)
        #expect(t.bytesReceived == 8148)
        #expect(t.bytesDelivered == 7196)
        #expect(s.pflogsummDifferences.receivedUnseen == 2)
        #expect(s.pflogsummDifferences.deliveredUnseen == 3)
        #expect(s.pflogsummDifferences.rejectedUnseen == 1)
        #expect(s.first == "2026-12-31T23:58:01Z" || s.first == "2025-12-31T23:58:01Z")
        #expect(s.first?.hasPrefix("2025-12-31") == true, "year inference across New Year: \(s.first ?? "nil")")
        #expect(s.last?.hasPrefix("2026-01-01") == true)
        #expect(s.inputs.first?.unknownLines == 2)
        #expect(s.unknown.map(\.program).contains("opendkim"))
        let p = try Self.pflogsumm(Self.fixtures + "/postfix-mixed.log")
        #expect(p["received"] == 4)
        Self.compare(s, p)
    }

    @Test func alertsFromFixture() throws {
        var r = LogRunner()
        r.year = 2026
        r.options.alerts.relayFailureThreshold = 3
        let s = try r.run([Self.fixtures + "/postfix-mixed.log"])
        let bf = s.alerts.filter { $0.kind == .bruteForce }
        #expect(bf.contains { $0.subject == "smtp from 198.51.100.77" && $0.count == 4 && $0.evidence.count == 4 })
        #expect(bf.contains { $0.subject == "imap user bob" && $0.count == 3 })
        #expect(bf.contains { $0.subject == "imap from 198.51.100.77" })
        let relay = s.alerts.filter { $0.kind == .relayFailing }
        #expect(relay.contains { $0.subject == "mx-dropped.broken.lab.test" && $0.count >= 3 }, "\(relay.map(\.subject))")
        #expect(s.rejectReasons.contains { $0.reason == ReasonClass.relayDenied.rawValue })
        #expect(s.rejectReasons.contains { $0.reason == ReasonClass.rbl.rawValue && $0.count == 2 })
        #expect(s.deferralReasons.first?.reason == ReasonClass.timeout.rawValue)
        #expect(s.tls.inboundTLS == 1)
        #expect(s.sasl.logins == 1 && s.sasl.failures == 4)
        #expect(s.delays.total.count == 5)
        #expect(s.replyCodes.first?.key.hasPrefix("5") == true)
        // Postfix 3.x disconnect counters: 8 connections' worth; rcpt refused 5 (0/5) in the reject session.
        #expect(s.smtpCommands.first { $0.key == "commands" }?.count == 27)
        #expect(s.smtpCommandsRefused.first { $0.key == "rcpt" }?.count == 5)
        #expect(s.smtpCommandsRefused.first { $0.key == "auth" }?.count == 4)
    }

    /// The lab's own Postfix log (after `scripts/lab traffic N`), against pflogsumm.
    @Test func labLogMatchesPflogsumm() throws {
        let lab = try LabEnvironment.require()
        let path = lab.postfixLog
        #expect(!path.isEmpty && FileManager.default.fileExists(atPath: path), "lab Postfix log missing: \(path)")
        guard FileManager.default.fileExists(atPath: path) else { return }
        // Other tests send mail meanwhile: both tools read one snapshot of the live log.
        let snapshot = FileManager.default.temporaryDirectory.appendingPathComponent("mxray-lab-postfix-\(getpid()).log").path
        try? FileManager.default.removeItem(atPath: snapshot)
        try FileManager.default.copyItem(atPath: path, toPath: snapshot)
        defer { try? FileManager.default.removeItem(atPath: snapshot) }
        let s = try LogRunner().run([snapshot])
        #expect((s.inputs.first?.lines ?? 0) > 0)
        Self.compare(s, try Self.pflogsumm(snapshot))
    }
}
