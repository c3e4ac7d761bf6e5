import Foundation
import LabSupport
import MailWire
import NIOCore
import Testing
@testable import Probes

/// `mxray login` against the lab: the lab user over SMTP, IMAP and POP3; a wrong password
/// fails cleanly and Dovecot's log shows it.
@Suite(.serialized) struct LabLoginTests {
    func login(_ scheme: LoginRequest.Scheme, password: String? = nil, mech: SASLMechanism? = nil) async throws -> LoginObservation {
        let lab = try LabEnvironment.require()
        var o = ProbeOptions(tls: try ProbeTLSSettings(extraCAFile: lab.caFile))
        o.overallTimeout = .seconds(20)
        var r = LoginRequest(scheme: scheme, user: lab.user, password: password ?? lab.password,
                             address: try lab.address("GOOD_MX1"), host: "mx1.good.lab.test")
        r.mechanism = mech
        return await MailLogin(options: o).login(r)
    }

    @Test(arguments: [LoginRequest.Scheme.smtp, .smtps, .imap, .imaps, .pop3, .pop3s])
    func labUserLogsIn(_ scheme: LoginRequest.Scheme) async throws {
        let r = try await login(scheme)
        #expect(r.status == .authenticated, "\(scheme): \(r.detail ?? "") \(r.serverReply ?? "")")
        #expect(r.mechanism == "SCRAM-SHA-256", "best common mechanism")
        #expect(r.tls?.version != nil)
        let password = try LabEnvironment.require().password
        #expect(!r.transcript.lines.contains { $0.text.contains(password) })
        #expect(r.transcript.lines.contains { $0.redacted })
        if scheme == .imap || scheme == .imaps {
            let names = r.steps.map(\.name)
            #expect(names.contains("LIST") && names.contains("SELECT INBOX"))
            #expect(r.mailbox?.mailboxes.contains("INBOX") == true)
            #expect(r.mailbox?.messages != nil)
            #expect(r.steps.allSatisfy { $0.milliseconds < 2000 }, "an IMAP step took over 2 s: \(r.steps)")
        }
    }

    @Test(arguments: [SASLMechanism.plain, .login, .cramMD5])
    func everyMechanismWorksOverIMAPS(_ mech: SASLMechanism) async throws {
        let r = try await login(.imaps, mech: mech)
        #expect(r.status == .authenticated, "\(mech): \(r.serverReply ?? "")")
        #expect(r.mechanism == mech.rawValue)
    }

    @Test func smtpWithPlainAndLogin() async throws {
        #expect(try await login(.smtp, mech: .plain).status == .authenticated)
        #expect(try await login(.smtps, mech: .login).status == .authenticated)
        #expect(try await login(.pop3s, mech: .cramMD5).status == .authenticated)
    }

    @Test func wrongPasswordFailsCleanlyAndDovecotLogsIt() async throws {
        let lab = try LabEnvironment.require()
        let before = (try? Data(contentsOf: URL(fileURLWithPath: lab.dovecotLog)).count) ?? 0
        let imap = try await login(.imaps, password: "definitely-wrong")
        #expect(imap.status == .rejected)
        #expect(imap.serverReply?.contains("AUTHENTICATIONFAILED") == true)
        let pop = try await login(.pop3s, password: "definitely-wrong", mech: .plain)
        #expect(pop.status == .rejected)
        #expect(pop.serverReply?.hasPrefix("-ERR") == true)
        let smtp = try await login(.smtp, password: "definitely-wrong")
        #expect(smtp.status == .rejected)
        #expect(smtp.serverReply?.hasPrefix("535") == true)
        // Dovecot writes its log asynchronously.
        var tail = ""
        for _ in 0..<20 {
            let data = (try? Data(contentsOf: URL(fileURLWithPath: lab.dovecotLog))) ?? Data()
            tail = String(decoding: data.dropFirst(before), as: UTF8.self)
            if tail.contains(lab.user) && (tail.localizedCaseInsensitiveContains("password mismatch") || tail.localizedCaseInsensitiveContains("auth failed")) { break }
            try await Task.sleep(for: .milliseconds(250))
        }
        #expect(tail.contains(lab.user), "Dovecot's log does not mention \(lab.user)")
        #expect(tail.localizedCaseInsensitiveContains("password mismatch") || tail.localizedCaseInsensitiveContains("auth failed"),
                "Dovecot's log shows no failure:\n\(tail.suffix(2000))")
    }

    @Test func plaintextIsRefusedWithoutTLS() async throws {
        // weak's 110 offers STLS, so use a fake POP3 server without STLS.
        let peer = try await FakePeer.start(.init(
            onConnect: { $0.send("+OK fake ready\r\n") },
            onLine: { line, c in
                if line == "CAPA" { c.send("+OK\r\nUSER\r\nSASL PLAIN\r\n.\r\n") } else { c.send("+OK\r\n") }
            }))
        defer { Task { await peer.stop() } }
        let r = await MailLogin(options: ProbeOptions(tls: try ProbeTLSSettings()))
            .login(LoginRequest(scheme: .pop3, user: "u", password: "secret-pw", address: "127.0.0.1", host: nil, port: peer.port))
        #expect(r.status == .plaintextRefused)
        #expect(!peer.receivedText.contains("secret-pw"))
        #expect(!peer.receivedText.contains("AUTH"))
    }
}
