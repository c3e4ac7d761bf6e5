import Diagnosis
import Foundation
import LabSupport
import MailWire
import NIOCore
import NIOSSL
import NIOConcurrencyHelpers
import Testing
@testable import Probes

/// The STARTTLS command-injection test against a fake TLS-capable SMTP server, once flawed
/// (answers the command pipelined after STARTTLS inside TLS) and once correct.
@Suite(.serialized) struct InjectionTests {
    /// A throw-away self-signed certificate for `fake.test` (openssl is a lab package).
    static func certificate() throws -> (context: NIOSSLContext, caFile: String) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mxray-fake-tls-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let key = dir.appendingPathComponent("key.pem").path, cert = dir.appendingPathComponent("cert.pem").path
        if !FileManager.default.fileExists(atPath: cert) {
            let r = try LabEnvironment.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                                            "-subj", "/CN=fake.test", "-days", "2", "-addext", "subjectAltName=DNS:fake.test"])
            try #require(r.status == 0, "openssl failed: \(r.output)")
        }
        let config = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(cert).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: key, format: .pem)))
        return (try NIOSSLContext(configuration: config), cert)
    }

    static func server(tls: NIOSSLContext, flawed: Bool) -> FakePeer.Script {
        let discard = NIOLockedBool()
        return FakePeer.Script(
            onConnect: { $0.send("220 fake.test ESMTP\r\n") },
            onLine: { line, c in
                let verb = line.split(separator: " ").first.map { $0.uppercased() } ?? ""
                if discard.value && !flawed { discard.value = false; return }  // correct server: drop what was pipelined
                switch verb {
                case "EHLO": c.send("250-fake.test\r\n250-PIPELINING\r\n250 STARTTLS\r\n")
                case "STARTTLS":
                    c.send("220 2.0.0 Ready to start TLS\r\n")
                    c.startTLS(tls)
                    discard.value = true
                case "QUIT": c.send("221 bye\r\n"); c.close()
                case "RCPT": c.send("554 5.7.1 Relay access denied\r\n")
                case "VRFY", "EXPN": c.send("502 5.5.1 no\r\n")
                default: c.send("250 2.0.0 Ok\r\n")
                }
            })
    }

    func probe(flawed: Bool) async throws -> PortObservation {
        let (tls, caFile) = try Self.certificate()
        let peer = try await FakePeer.start(Self.server(tls: tls, flawed: flawed))
        defer { Task { await peer.stop() } }
        var o = ProbeOptions(tls: try ProbeTLSSettings(extraCAFile: caFile))
        o.commandTimeout = .seconds(3)
        o.overallTimeout = .seconds(15)
        return await MailProber(options: o).probePort(ProbeTarget(address: "127.0.0.1", host: "fake.test"), port: peer.port, as: .smtp)
    }

    @Test func flawedServerIsFound() async throws {
        let obs = try await probe(flawed: true)
        #expect(obs.tls?.version != nil)
        #expect(obs.smtp?.injection?.verdict == .vulnerable)
        #expect(obs.outcome == .completed, "\(obs.outcomeDetail ?? "")")
        let ids = ProbeAnalysis.analyse([obs]).findings.map(\.id)
        #expect(ids.contains("smtp.starttls.injection"))
        #expect(obs.tls?.nameMatches == true)
    }

    @Test func correctServerIsNot() async throws {
        let obs = try await probe(flawed: false)
        #expect(obs.smtp?.injection?.verdict == .notVulnerable)
        #expect(obs.outcome == .completed, "\(obs.outcomeDetail ?? "")")
        #expect(!ProbeAnalysis.analyse([obs]).findings.map(\.id).contains("smtp.starttls.injection"))
        #expect(obs.smtp?.capabilitiesAfter != nil)
    }
}

/// A Sendable boolean for scripts.
final class NIOLockedBool: Sendable {
    private let box = NIOLockedValueBox(false)
    var value: Bool {
        get { box.withLockedValue { $0 } }
        set { box.withLockedValue { $0 = newValue } }
    }
}
