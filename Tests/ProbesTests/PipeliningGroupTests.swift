import Diagnosis
import MailWire
import NIOConcurrencyHelpers
import NIOCore
import NIOSSL
import Testing
@testable import Probes

/// The probe against a server that enforces the pipelining rules: RFC 2920 §3.1 lets EHLO, VRFY,
/// EXPN, NOOP, QUIT and DATA only end a group. Like Postfix ≥ 3.9 (`smtpd_forbid_unauth_pipelining`
/// is on by default there), the fake answers a command sent behind one of them, before its reply,
/// with "554 5.5.0 Error: SMTP protocol synchronization" and hangs up. STARTTLS must also end a
/// group (RFC 3207 §4.2); what follows it is discarded, as Postfix does since CVE-2011-0411, so
/// the injection test's pipelined NOOP is not a violation here. The exact bytes are pinned.
@Suite(.serialized) struct PipeliningGroupTests {
    static let lastInGroup: Set<String> = ["EHLO", "HELO", "VRFY", "EXPN", "NOOP", "QUIT", "DATA"]

    /// What the strict fake does with a second connection while the first is open.
    enum Second: Sendable { case served, refused, silent }

    /// State of one connection to the strict fake; `lines` is what the client sent on it.
    struct Session {
        var pending: [UInt8] = []
        var tls = false
        var mailOK = false
        var firstInTLS: String?
        var lines: [String] = []
    }

    /// `tlsFirst`: MAIL FROM before STARTTLS gets 530 (RFC 3207 §4: TLS required), like a
    /// submission port with `smtpd_tls_security_level = encrypt`. `second`: what EXPN gets on a
    /// connection whose first command inside TLS is EXPN (the probe's second session). Each
    /// connection keeps its own state; `sessions` holds them in the order they connected.
    static func strict(tls: NIOSSLContext, tlsFirst: Bool, second: Second = .served, violations: NIOLockedValueBox<[String]>,
                       sessions: NIOLockedValueBox<[(ObjectIdentifier, Session)]> = .init([])) -> FakePeer.Script {
        @Sendable func with(_ c: FakeConnection, _ body: (inout Session) -> Void) {
            sessions.withLockedValue { all in
                let id = ObjectIdentifier(c.channel)
                guard let i = all.firstIndex(where: { $0.0 == id }) else { return }
                body(&all[i].1)
            }
        }
        return FakePeer.Script(
            onConnect: { c in
                sessions.withLockedValue { $0.append((ObjectIdentifier(c.channel), Session())) }
                c.switchToRaw()
                c.send("220 strict.test ESMTP\r\n")
            },
            onRaw: { bytes, c in
                with(c) { s in
                    s.pending += bytes
                    while let lf = s.pending.firstIndex(of: 0x0A) {
                        var line = String(decoding: s.pending[..<lf], as: UTF8.self)
                        if line.hasSuffix("\r") { line.removeLast() }
                        s.pending.removeFirst(lf + 1)
                        s.lines.append(line)
                        let verb = line.split(separator: " ").first.map { $0.uppercased() } ?? ""
                        if s.tls, s.firstInTLS == nil, verb != "EHLO" { s.firstInTLS = verb }
                        if Self.lastInGroup.contains(verb), !s.pending.isEmpty {
                            violations.withLockedValue { $0.append("\(verb), then \(String(decoding: s.pending, as: UTF8.self))") }
                            c.send("554 5.5.0 Error: SMTP protocol synchronization\r\n")
                            c.close()
                            s.pending = []
                            return
                        }
                        switch verb {
                        case "EHLO": c.send(s.tls ? "250-strict.test\r\n250 PIPELINING\r\n" : "250-strict.test\r\n250-PIPELINING\r\n250 STARTTLS\r\n")
                        case "STARTTLS":
                            c.send("220 2.0.0 Ready to start TLS\r\n")
                            s.pending = []
                            s.tls = true
                            c.startTLS(tls)
                            return
                        case "MAIL":
                            s.mailOK = s.tls || !tlsFirst
                            c.send(s.mailOK ? "250 2.1.0 Ok\r\n" : "530 5.7.0 Must issue a STARTTLS command first\r\n")
                        case "RCPT": c.send(s.mailOK ? "554 5.7.1 Relay access denied\r\n" : "503 5.5.1 Error: need MAIL command\r\n")
                        case "RSET": s.mailOK = false; c.send("250 2.0.0 Ok\r\n")
                        case "EXPN" where s.firstInTLS == "EXPN" && second == .refused:
                            c.send("421 4.7.0 strict.test Error: too many connections\r\n")
                            c.close()
                            s.pending = []
                            return
                        case "EXPN" where s.firstInTLS == "EXPN" && second == .silent:
                            break  // a tarpit: no answer, ever
                        case "VRFY": c.send("502 5.5.1 VRFY command is disabled\r\n")
                        case "EXPN": c.send("502 5.5.2 Error: command not recognized\r\n")
                        case "QUIT": c.send("221 2.0.0 Bye\r\n"); c.close()
                        default: c.send("250 2.0.0 Ok\r\n")
                        }
                    }
                }
            })
    }

    func probe(tlsFirst: Bool) async throws -> (PortObservation, String, [String]) {
        let (tls, caFile) = try InjectionTests.certificate()
        let violations = NIOLockedValueBox<[String]>([])
        let peer = try await FakePeer.start(Self.strict(tls: tls, tlsFirst: tlsFirst, violations: violations))
        defer { Task { await peer.stop() } }
        var o = ProbeOptions(tls: try ProbeTLSSettings(extraCAFile: caFile))
        o.commandTimeout = .seconds(3)
        o.greetingTimeout = .seconds(3)
        o.overallTimeout = .seconds(15)
        let obs = await MailProber(options: o).probePort(ProbeTarget(address: "127.0.0.1", host: "fake.test"), port: peer.port, as: .smtp)
        return (obs, peer.receivedText, violations.withLockedValue { $0 })
    }

    /// What the probe must write, plaintext and (decrypted) inside TLS: the relay attempts and
    /// VRFY in one group inside TLS, EXPN and QUIT in groups of their own.
    static func expectedBytes() -> String {
        let u = "mxray-relay-test", a = "[127.0.0.1]"
        var lines = ["EHLO mxray.invalid", "STARTTLS", "NOOP", "EHLO mxray.invalid"]
        for rcpt in ["\(u)@example.net", "\(u)%example.net@\(a)", "@\(a):\(u)@example.net", "example.net!\(u)@\(a)", "\"\(u)@example.net\"@\(a)"] {
            lines += ["RSET", "MAIL FROM:<\(u)@example.com>", "RCPT TO:<\(rcpt)>"]
        }
        lines += ["RSET", "VRFY postmaster", "EXPN postmaster", "QUIT"]
        return lines.map { $0 + "\r\n" }.joined()
    }

    @Test func strictServerSeesNoPipeliningViolation() async throws {
        let (obs, bytes, violations) = try await probe(tlsFirst: false)
        #expect(violations == [])
        #expect(obs.outcome == .completed, "\(obs.outcomeDetail ?? "")")
        #expect(bytes == Self.expectedBytes())
        #expect(!bytes.contains("DATA"))
        let s = try #require(obs.smtp)
        #expect(obs.tls?.version != nil)
        #expect(s.injection?.verdict == .notVulnerable)
        #expect(s.relay.count == 5 && s.relay.allSatisfy { $0.mailReply?.code == 250 && $0.rcptReply?.code == 554 && !$0.accepted })
        #expect(s.vrfy?.code == 502 && s.expn?.code == 502)
        let ids = ProbeAnalysis.analyse([obs]).findings.map(\.id)
        #expect(!ids.contains("smtp.relay.open") && !ids.contains("smtp.vrfy.enabled") && !ids.contains("smtp.expn.enabled"))
    }

    /// A server that refuses MAIL FROM before TLS (RFC 3207 §4: 530) gets the relay attempts
    /// inside TLS, where it judges them; the findings are those of the TLS session.
    @Test func tlsRequiredBeforeMailGetsTheRelayAttemptsInsideTLS() async throws {
        let (obs, bytes, violations) = try await probe(tlsFirst: true)
        #expect(violations == [])
        #expect(obs.outcome == .completed, "\(obs.outcomeDetail ?? "")")
        #expect(bytes == Self.expectedBytes())
        let s = try #require(obs.smtp)
        #expect(s.relay.count == 5 && s.relay.allSatisfy { $0.mailReply?.code == 250 && $0.rcptReply?.code == 554 })
        #expect(!s.relay.contains { $0.mailReply?.code == 530 })
        // Nothing of it is a secret: the transcript keeps every line.
        #expect(obs.transcript.lines.allSatisfy { !$0.redacted })
        #expect(obs.transcript.lines.contains { $0.direction == .sent && $0.text.hasSuffix("VRFY postmaster (pipelined, RFC 2920)") })
    }

    // MARK: - EXPN on a second connection (SMTPAddressQuerySession)

    /// Probes with the second connection allowed; returns the lines each connection sent, the
    /// main session's (the one with VRFY) first.
    func probeWithSecondSession(_ second: Second) async throws -> (PortObservation, [String], [[String]]) {
        let (tls, caFile) = try InjectionTests.certificate()
        let violations = NIOLockedValueBox<[String]>([])
        let sessions = NIOLockedValueBox<[(ObjectIdentifier, Session)]>([])
        let peer = try await FakePeer.start(Self.strict(tls: tls, tlsFirst: false, second: second,
                                                        violations: violations, sessions: sessions))
        defer { Task { await peer.stop() } }
        var o = ProbeOptions(tls: try ProbeTLSSettings(extraCAFile: caFile))
        o.commandTimeout = .seconds(3)
        o.greetingTimeout = .seconds(3)
        o.overallTimeout = .seconds(15)
        o.addressQueriesOnSecondConnection = true
        let obs = await MailProber(options: o).probePort(ProbeTarget(address: "127.0.0.1", host: "fake.test"), port: peer.port, as: .smtp)
        let all = sessions.withLockedValue { $0.map(\.1.lines) }
        let isMain = { (lines: [String]) in lines.contains("VRFY postmaster") }
        return (obs, violations.withLockedValue { $0 }, all.filter(isMain) + all.filter { !isMain($0) })
    }

    static func relayLines() -> [String] {
        let u = "mxray-relay-test", a = "[127.0.0.1]"
        var lines: [String] = []
        for rcpt in ["\(u)@example.net", "\(u)%example.net@\(a)", "@\(a):\(u)@example.net", "example.net!\(u)@\(a)", "\"\(u)@example.net\"@\(a)"] {
            lines += ["RSET", "MAIL FROM:<\(u)@example.com>", "RCPT TO:<\(rcpt)>"]
        }
        return lines + ["RSET"]
    }

    /// EXPN goes to a second connection, inside TLS like the main session's VRFY; the main
    /// session then quits after VRFY's group, and nothing follows a group-ending command on
    /// either connection. (The NOOP pipelined behind STARTTLS is discarded unread, as Postfix
    /// does, so it is not among the lines.)
    @Test func secondSessionAsksEXPNInsideTLSAndTheMainSessionQuitsAfterVRFY() async throws {
        let (obs, violations, sessions) = try await probeWithSecondSession(.served)
        #expect(violations == [])
        #expect(obs.outcome == .completed, "\(obs.outcomeDetail ?? "")")
        #expect(sessions.count == 2)
        #expect(sessions.first == ["EHLO mxray.invalid", "STARTTLS", "EHLO mxray.invalid"] + Self.relayLines() + ["VRFY postmaster", "QUIT"])
        #expect(sessions.last == ["EHLO mxray.invalid", "STARTTLS", "EHLO mxray.invalid", "EXPN postmaster", "QUIT"])
        let s = try #require(obs.smtp)
        #expect(s.vrfy?.code == 502 && s.expn?.code == 502)
        #expect(s.relay.count == 5 && s.relay.allSatisfy { $0.mailReply?.code == 250 && $0.rcptReply?.code == 554 })
        // The second session's exchange is evidence in the port's transcript, marked as such.
        #expect(obs.transcript.lines.contains { $0.direction == .sent && $0.text == "[EXPN session] EXPN postmaster" })
        #expect(obs.transcript.lines.contains { $0.direction == .received && $0.text.hasPrefix("[EXPN session] 502 5.5.2") })
        let ids = ProbeAnalysis.analyse([obs]).findings.map(\.id)
        #expect(!ids.contains("smtp.vrfy.enabled") && !ids.contains("smtp.expn.enabled") && !ids.contains("smtp.relay.open"))
    }

    /// When the second connection gets no answer to EXPN (here a 421: the server closes it),
    /// the main session asks EXPN itself, in the groups of the single-session probe.
    @Test func withoutTheSecondSessionsAnswerTheMainSessionAsksEXPN() async throws {
        let (obs, violations, sessions) = try await probeWithSecondSession(.refused)
        #expect(violations == [])
        #expect(obs.outcome == .completed, "\(obs.outcomeDetail ?? "")")
        #expect(sessions.count == 2)
        #expect(sessions.first == ["EHLO mxray.invalid", "STARTTLS", "EHLO mxray.invalid"] + Self.relayLines()
            + ["VRFY postmaster", "EXPN postmaster", "QUIT"])
        #expect(sessions.last == ["EHLO mxray.invalid", "STARTTLS", "EHLO mxray.invalid", "EXPN postmaster"])
        let s = try #require(obs.smtp)
        #expect(s.vrfy?.code == 502 && s.expn?.code == 502)
        #expect(obs.transcript.lines.contains { $0.direction == .received && $0.text.hasPrefix("[EXPN session] 421 4.7.0") })
    }

    /// A server that never answers the second connection's EXPN costs the main session a
    /// bounded wait: it asks EXPN itself and the second connection is closed, before the
    /// command deadline (3 s here) that would otherwise hold the port's result.
    @Test func aSilentSecondConnectionIsGivenUpAndEXPNAskedInTheMainSession() async throws {
        let clock = ContinuousClock()
        let start = clock.now
        let (obs, violations, sessions) = try await probeWithSecondSession(.silent)
        #expect(clock.now - start < .seconds(3))
        #expect(violations == [])
        #expect(obs.outcome == .completed, "\(obs.outcomeDetail ?? "")")
        #expect(sessions.first == ["EHLO mxray.invalid", "STARTTLS", "EHLO mxray.invalid"] + Self.relayLines()
            + ["VRFY postmaster", "EXPN postmaster", "QUIT"])
        #expect(obs.smtp?.expn?.code == 502)
        #expect(sessions.last == ["EHLO mxray.invalid", "STARTTLS", "EHLO mxray.invalid", "EXPN postmaster"])
        #expect(obs.transcript.lines.contains { $0.text == "[EXPN session] EXPN postmaster" })
    }
}
