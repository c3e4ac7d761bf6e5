import Diagnosis
import LabSupport
import MailWire
import NIOCore
import Testing
@testable import Probes

/// Integration against the lab's real Postfix and Dovecot (scripts/lab up). Fails, never
/// skips, when the lab is down.
@Suite(.serialized) struct LabProbeTests {
    func prober(relay: Bool = true) throws -> (MailProber, LabEnvironment) {
        let lab = try LabEnvironment.require()
        var o = ProbeOptions(tls: try ProbeTLSSettings(extraCAFile: lab.caFile))
        o.connectTimeout = .seconds(2)
        o.greetingTimeout = .seconds(10)
        o.overallTimeout = .seconds(40)
        o.relayTest = relay
        return (MailProber(options: o), lab)
    }

    func ids(_ obs: [PortObservation]) -> Set<String> { Set(ProbeAnalysis.analyse(obs).findings.map(\.id)) }

    @Test func droppedPortIsFilteredAndClosedPortRefused() async throws {
        let (p, lab) = try prober()
        let dropped = await p.probePort(ProbeTarget(address: try lab.address("BROKEN_DROPPED"), host: "mx-dropped.broken.lab.test"), port: 25)
        #expect(dropped.connect.state == .filtered)
        #expect(dropped.connect.milliseconds >= 1900)
        #expect(dropped.couldNotTest)
        #expect(ids([dropped]) == ["port.filtered"])
        let closed = await p.probePort(ProbeTarget(address: try lab.address("BROKEN_CLOSED"), host: "mx-closed.broken.lab.test"), port: 25)
        #expect(closed.connect.state == .refused)
        #expect(ids([closed]) == ["port.refused"])
        // The same host's 587 answers (the lab's plan): only 25 is dropped.
        let submission = await p.probePort(ProbeTarget(address: try lab.address("BROKEN_DROPPED")), port: 587)
        #expect(submission.connect.state == .open)
    }

    /// EXPN on a second connection (as `check` asks it) finds what the single session finds,
    /// on a server that answers VRFY (weak) and on ones that refuse it (good 25 and 587).
    @Test func secondSessionFindsWhatTheSingleSessionFinds() async throws {
        let (single, lab) = try prober()
        var o = single.options
        o.addressQueriesOnSecondConnection = true
        let second = MailProber(options: o)
        let targets = [(ProbeTarget(address: try lab.address("WEAK_MX"), host: "mx.weak.lab.test"), 25),
                       (ProbeTarget(address: try lab.address("GOOD_MX1"), host: "mx1.good.lab.test"), 25),
                       (ProbeTarget(address: try lab.address("GOOD_MX1"), host: "mx1.good.lab.test"), 587)]
        for (target, port) in targets {
            let a = await single.probePort(target, port: port)
            let b = await second.probePort(target, port: port)
            #expect(a.outcome == .completed && b.outcome == .completed, "\(target.address):\(port)")
            #expect(a.smtp?.vrfy?.code == b.smtp?.vrfy?.code && a.smtp?.expn?.code == b.smtp?.expn?.code, "\(target.address):\(port)")
            #expect(a.smtp?.vrfy != nil && a.smtp?.expn != nil)
            #expect(ids([a]) == ids([b]), "\(target.address):\(port)")
            // The second session ran and asked EXPN inside TLS. (Whether the main session asked
            // it again depends on timing: it does when the second one has not answered within
            // twice its slowest step, as on a loaded machine. The codes above agree either way.)
            #expect(b.transcript.lines.contains { $0.text == "[EXPN session] EXPN postmaster" })
        }
    }

    @Test func weakExposesAuthBeforeTLSAndVRFY() async throws {
        let (p, lab) = try prober()
        let obs = await p.probePort(ProbeTarget(address: try lab.address("WEAK_MX"), host: "mx.weak.lab.test"), port: 25)
        #expect(obs.outcome == .completed)
        let found = ids([obs])
        #expect(found.contains("smtp.auth.plaintext"))
        #expect(found.contains("smtp.vrfy.enabled"))
        #expect(!found.contains("smtp.relay.open"))
        #expect(obs.smtp?.fingerprint?.software == "Postfix")
        // Self-signed: the chain does not verify, the probe still went on over TLS.
        #expect(obs.tls?.chainVerified == false)
        #expect(found.contains("probe.tls.untrusted"))
        #expect(obs.smtp?.capabilitiesAfter != nil)
    }

    @Test func weakIMAPAndPOP3AllowPlaintextLogin() async throws {
        let (p, lab) = try prober()
        let weak = ProbeTarget(address: try lab.address("WEAK_MX"), host: "mx.weak.lab.test")
        let results = await p.probe([weak], ports: [143, 110])
        let found = ids(results)
        #expect(found.contains("imap.login.plaintext"))
        #expect(found.contains("pop3.login.plaintext"))
        #expect(results[1].pop3?.userBeforeTLS?.isOK == true)
    }

    @Test func brokenRelayIsFoundAndStopsAtRCPT() async throws {
        let (p, lab) = try prober()
        let obs = await p.probePort(ProbeTarget(address: try lab.address("BROKEN_RELAY"), host: "relay.broken.lab.test"), port: 25)
        #expect(ids([obs]).contains("smtp.relay.open"))
        #expect(obs.smtp?.relay.first?.accepted == true)
        #expect(!obs.transcript.lines.contains { $0.direction == .sent && $0.text.uppercased().hasPrefix("DATA") })
        #expect(obs.transcript.lines.last { $0.direction == .sent }?.text == "QUIT")
        // Switched off, no MAIL FROM is sent at all.
        let (quiet, _) = try prober(relay: false)
        let off = await quiet.probePort(ProbeTarget(address: try lab.address("BROKEN_RELAY")), port: 25)
        #expect(!off.transcript.lines.contains { $0.text.hasPrefix("MAIL FROM") })
        #expect(!ids([off]).contains("smtp.relay.open"))
    }

    @Test func goodIsCleanOnEveryPort() async throws {
        let (p, lab) = try prober()
        let good = ProbeTarget(address: try lab.address("GOOD_MX1"), host: "mx1.good.lab.test")
        let results = await p.probe([good], ports: MailProber.defaultPorts)
        #expect(results.count == 7)
        for r in results {
            #expect(r.connect.state == .open, "\(r.subject)")
            #expect(r.outcome == .completed, "\(r.subject): \(r.outcomeDetail ?? "")")
            #expect(r.tls?.chainVerified == true, "\(r.subject)")
            #expect(r.tls?.nameMatches == true, "\(r.subject)")
        }
        let found = ids(results)
        #expect(found.isEmpty, "unexpected findings on good: \(found)")
        let smtp = try #require(results.first { $0.port == 25 }?.smtp)
        #expect(smtp.capabilitiesBefore?.startTLS == true)
        #expect(smtp.injection?.verdict == .notVulnerable)
        #expect(smtp.relay.allSatisfy { !$0.accepted })
        // 587: AUTH only after TLS.
        let sub = try #require(results.first { $0.port == 587 }?.smtp)
        #expect(sub.capabilitiesBefore?.authMechanisms.isEmpty == true)
        #expect(sub.capabilitiesAfter?.authMechanisms.isEmpty == false)
        #expect(results.first { $0.port == 465 }?.tls?.mode == .implicit)
    }
}
