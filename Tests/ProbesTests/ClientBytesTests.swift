import Diagnosis
import MailWire
import NIOCore
import Testing
@testable import Probes

/// The exact bytes the prober writes, compared whole (go-smtp style), and the per-address
/// concurrency cap.
@Suite(.serialized) struct ClientBytesTests {
    func options() throws -> ProbeOptions {
        var o = ProbeOptions(tls: try ProbeTLSSettings())
        o.commandTimeout = .seconds(3)
        o.greetingTimeout = .seconds(3)
        o.overallTimeout = .seconds(10)
        return o
    }

    @Test func smtpProbeWritesExactlyTheseBytes() async throws {
        let peer = try await FakePeer.start(FakeSMTP.polite())
        defer { Task { await peer.stop() } }
        let obs = await MailProber(options: try options()).probePort(ProbeTarget(address: "127.0.0.1"), port: peer.port, as: .smtp)
        #expect(obs.outcome == .completed)
        let u = "mxray-relay-test"
        // The peer advertises PIPELINING: the relay attempts, RSET and VRFY go as one group with
        // VRFY last, then EXPN and QUIT each as the last (only) command of their own group (RFC
        // 2920 §3.1: VRFY, EXPN and QUIT may only end a group). DATA never follows.
        let group = [
            "RSET", "MAIL FROM:<\(u)@example.com>", "RCPT TO:<\(u)@example.net>",
            "RSET", "MAIL FROM:<\(u)@example.com>", "RCPT TO:<\(u)%example.net@[127.0.0.1]>",
            "RSET", "MAIL FROM:<\(u)@example.com>", "RCPT TO:<@[127.0.0.1]:\(u)@example.net>",
            "RSET", "MAIL FROM:<\(u)@example.com>", "RCPT TO:<example.net!\(u)@[127.0.0.1]>",
            "RSET", "MAIL FROM:<\(u)@example.com>", "RCPT TO:<\"\(u)@example.net\"@[127.0.0.1]>",
            "RSET", "VRFY postmaster",
        ]
        let expected = (["EHLO mxray.invalid"] + group + ["EXPN postmaster", "QUIT"]).map { $0 + "\r\n" }.joined()
        #expect(peer.receivedText == expected)
        #expect(!peer.receivedText.contains("DATA"))
        let s = try #require(obs.smtp)
        #expect(s.fingerprint == ServerFingerprint(software: "Exim", version: "4.96"))
        #expect(s.relay.count == 5 && s.relay.allSatisfy { !$0.accepted })
        #expect(s.vrfy?.code == 502 && s.expn?.code == 502)
        let ids = ProbeAnalysis.analyse([obs]).findings.map(\.id)
        #expect(ids == ["smtp.starttls.missing"])
        // Transcript: the group is one sent line, written whole and marked as pipelined; EXPN and
        // QUIT are lines of their own. Nothing in it is redacted (no credentials are sent).
        let sent = obs.transcript.lines.filter { $0.direction == .sent }.map(\.text)
        #expect(sent == ["EHLO mxray.invalid", group.joined(separator: "\\r\\n") + " (pipelined, RFC 2920)", "EXPN postmaster", "QUIT"])
        #expect(obs.transcript.lines.allSatisfy { !$0.redacted })
        #expect(obs.transcript.lines.contains { $0.direction == .received && $0.text.hasPrefix("220 fake.test") })
    }

    @Test func relayTestCanBeSwitchedOffAndOpenRelayIsFound() async throws {
        var o = try options()
        o.relayTest = false
        o.addressQueryTest = false
        let peer = try await FakePeer.start(FakeSMTP.polite())
        defer { Task { await peer.stop() } }
        _ = await MailProber(options: o).probePort(ProbeTarget(address: "127.0.0.1"), port: peer.port, as: .smtp)
        #expect(peer.receivedText == "EHLO mxray.invalid\r\nQUIT\r\n")

        let open = try await FakePeer.start(.init(
            onConnect: { $0.send("220 open.test ESMTP\r\n") },
            onLine: { line, c in
                if line.hasPrefix("EHLO") { c.send("250-open.test\r\n250-AUTH PLAIN LOGIN\r\n250 VRFY\r\n") }
                else if line.hasPrefix("VRFY") { c.send("250 <postmaster@open.test>\r\n") }
                else if line == "QUIT" { c.send("221 bye\r\n"); c.close() }
                else { c.send("250 2.1.5 Ok\r\n") }
            }))
        defer { Task { await open.stop() } }
        let obs = await MailProber(options: try options()).probePort(ProbeTarget(address: "127.0.0.1"), port: open.port, as: .smtp)
        let ids = Set(ProbeAnalysis.analyse([obs]).findings.map(\.id))
        #expect(ids.isSuperset(of: ["smtp.relay.open", "smtp.auth.plaintext", "smtp.vrfy.enabled", "smtp.expn.enabled", "smtp.starttls.missing"]))
        let sub = await MailProber(options: try options()).probePort(ProbeTarget(address: "127.0.0.1"), port: open.port, as: .submission)
        #expect(ProbeAnalysis.analyse([sub]).findings.map(\.id).contains("smtp.submission.unauthenticated"))
    }

    @Test func refusedPortIsRefused() async throws {
        let peer = try await FakePeer.start(.init())
        let port = peer.port
        await peer.stop()
        let obs = await MailProber(options: try options()).probePort(ProbeTarget(address: "127.0.0.1"), port: port, as: .smtp)
        #expect(obs.connect.state == .refused)
        #expect(!obs.couldNotTest)
        #expect(ProbeAnalysis.analyse([obs]).findings.map(\.id) == ["port.refused"])
    }

    @Test func perAddressConcurrencyIsCapped() async throws {
        // Six ports on one address, each greeting only after 300 ms, probed with a cap of 2.
        let shared = try await FakePeer.start(.init())  // only for the shared counter
        defer { Task { await shared.stop() } }
        var peers: [FakePeer] = []
        for _ in 0..<6 {
            peers.append(try await FakePeer.start(.init(onConnect: { c in
                shared.maxConcurrent.withLockedValue { $0.current += 1; $0.max = max($0.max, $0.current) }
                c.channel.eventLoop.scheduleTask(in: .milliseconds(300)) { c.send("554 5.0.0 go away\r\n"); c.close() }
                c.channel.closeFuture.whenComplete { _ in shared.maxConcurrent.withLockedValue { $0.current -= 1 } }
            })))
        }
        let allPeers = peers
        defer { Task { for p in allPeers { await p.stop() } } }
        var o = try options()
        o.perAddressConcurrency = 2
        let services = Dictionary(uniqueKeysWithValues: peers.map { ($0.port, MailService.smtp) })
        let clock = ContinuousClock()
        let start = clock.now
        let results = await MailProber(options: o).probe([ProbeTarget(address: "127.0.0.1")], ports: peers.map(\.port), services: services)
        // Three rounds of two 300 ms greetings: at least 900 ms, well under six in a row.
        #expect(clock.now - start >= .milliseconds(890))
        #expect(results.allSatisfy { $0.outcome == .greetingRejected })
        #expect(results.count == 6)
        #expect(results.map(\.port) == peers.map(\.port))
        #expect(shared.maxConcurrent.withLockedValue { $0.max } == 2)
    }
}
