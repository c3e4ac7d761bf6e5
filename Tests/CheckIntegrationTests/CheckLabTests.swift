import Diagnosis
import DNSClient
import DNSWire
import Foundation
import LabSupport
import MXRayCLI
import Reporting
import Testing

/// `mxray check` against the lab: the engine exactly as the command wires it.
@Suite("mxray check against the lab", .serialized)
struct CheckLabTests {
    static func check(_ domain: String, symptom: Symptom? = nil) async throws -> Report {
        let lab = try LabEnvironment.require()
        let server = try #require(DNSServerAddress(parsing: lab.resolver))
        var s = CheckWiring.Settings(resolver: ResolverConfiguration(servers: [server], timeout: .seconds(2), attempts: 2, source: "lab"),
                                     caFile: lab.caFile)
        s.options.symptom = symptom
        s.options.timeout = .seconds(60)
        return try await CheckWiring.engine(s).run(try CheckTarget.parse(domain))
    }

    static func ids(_ r: Report) -> Set<String> { Set(r.findings.map(\.id)) }

    @Test("good.lab.test: no error or critical finding, both MX found, every stage completed")
    func good() async throws {
        let r = try await Self.check("good.lab.test")
        let bad = r.findings.filter { $0.severity >= .error }
        #expect(bad.isEmpty, "\(bad.map { "\($0.id) @ \($0.subject): \($0.detail)" })")
        #expect(r.mxHosts.map(\.name) == ["mx1.good.lab.test", "mx2.good.lab.test"])
        #expect(r.verdict != .failing)
        for s in r.stages where [Stage.locate, Stage.auth, Stage.probe, Stage.tls].contains(s.name) {
            #expect(s.status == .completed, "\(s.name): \(s.status) \(s.detail)")
        }
        #expect(r.provider?.provider.id == "postfix")
        #expect(r.faultTree.first { $0.symptom == .bounce }?.rootCauses.isEmpty == true)
    }

    @Test("broken.lab.test: the bounce root cause is a planted one and every planted DNS/port fault is a finding")
    func broken() async throws {
        let r = try await Self.check("broken.lab.test", symptom: .bounce)
        let ids = Self.ids(r)
        let subjects = r.findings.map { "\($0.id) @ \($0.subject)" }
        for planted in ["dns.mx.cname", "dns.mx.nxdomain", "port.filtered", "port.refused", "smtp.relay.open"] {
            #expect(ids.contains(planted), "missing \(planted): \(subjects)")
        }
        #expect(subjects.contains { $0.hasPrefix("port.filtered @ mx-dropped.broken.lab.test") && $0.hasSuffix(":25") })
        #expect(subjects.contains { $0.hasPrefix("port.refused @ mx-closed.broken.lab.test") && $0.hasSuffix(":25") })
        #expect(ids.contains("probe.tls.name-mismatch") || ids.contains("tls.cert.name-mismatch"))
        #expect(ids.contains("tls.dane.mismatch"))
        #expect(ids.contains("mtasts.mx.uncovered"))
        #expect(ids.contains("dmarc.invalid") || ids.contains("dmarc.tag.invalid"))
        #expect(ids.contains("spf.lookups.exceeded") || ids.contains("spf.permerror"))
        let planted: Set<String> = ["bounce.mx.cname", "bounce.mx.nxdomain", "bounce.port25.filtered", "bounce.port25.refused",
                                    "bounce.mtasts.certificate", "bounce.mtasts.uncovered", "bounce.dane.mismatch"]
        let top = try #require(r.topRootCause)
        #expect(planted.contains(top.id), "top cause \(top.id)")
        #expect(!top.support.isEmpty)
    }

    @Test("weak.lab.test: exposure findings")
    func weak() async throws {
        let r = try await Self.check("weak.lab.test")
        let ids = Self.ids(r)
        for expected in ["smtp.auth.plaintext", "smtp.vrfy.enabled", "imap.login.plaintext", "pop3.login.plaintext",
                         "dns.ptr.missing", "spf.all.softfail", "dmarc.policy.none", "tls.version.phase-out", "tls.suite.insufficient"] {
            #expect(ids.contains(expected), "missing \(expected): \(ids.sorted())")
        }
        #expect(ids.contains("probe.tls.untrusted") || ids.contains("tls.cert.self-signed") || ids.contains("tls.cert.untrusted"))
        #expect(r.faultTree.first { $0.symptom == .spam }?.rootCauses.first?.id == "spam.ptr.missing")
    }

    @Test("nullmx.lab.test: null MX named first for bounce, nothing probed")
    func nullMX() async throws {
        let r = try await Self.check("nullmx.lab.test", symptom: .bounce)
        #expect(r.topRootCause?.id == "bounce.mx.null")
        #expect(r.ports.isEmpty)
    }

    @Test("the CLI: exit codes and formats")
    func cli() async throws {
        let lab = try LabEnvironment.require()
        let good = await MXRayMain.run(["check", "good.lab.test", "--resolver", lab.resolver, "--ca-file", lab.caFile, "--format", "nagios"])
        #expect(good == 0 || good == 1)   // OK or WARNING
        let broken = await MXRayMain.run(["check", "broken.lab.test", "--resolver", lab.resolver, "--ca-file", lab.caFile, "--format", "json"])
        #expect(broken == 1)
        let usage = await MXRayMain.run(["check", "good.lab.test", "--symptom", "sadness"])
        #expect(usage == 2)
        let nx = await MXRayMain.run(["check", "nope.lab.test", "--resolver", lab.resolver])
        #expect(nx == 3)
        #expect(await MXRayMain.run(["check"]) == 2)
        // Nothing answers DNS on this loopback port: exit 3, and UNKNOWN (3) for Nagios.
        #expect(await MXRayMain.run(["check", "good.lab.test", "--resolver", "127.0.10.54:5999", "--timeout", "10"]) == 3)
        #expect(await MXRayMain.run(["check", "good.lab.test", "--resolver", "127.0.10.54:5999", "--timeout", "10", "--format", "nagios"]) == 3)
        #expect(await MXRayMain.run(["check", "--from-file", "/dev/null", "--format", "text"]) == 2)
        #expect(await MXRayMain.run(["check", "good.lab.test", "--format", "jsonl"]) == 2)
        #expect(await MXRayMain.run(["check", "good.lab.test", "--resolver", "not-an-ip"]) == 2)
        // --from-file: a list with a bad line still checks the rest; the bad line makes exit 1.
        let list = FileManager.default.temporaryDirectory.appendingPathComponent("mxray-check-\(UUID().uuidString).txt")
        try "nullmx.lab.test\n# comment\nnot a domain\n".write(to: list, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: list) }
        #expect(await MXRayMain.run(["check", "--from-file", list.path, "--format", "jsonl", "--resolver", lab.resolver]) == 1)
    }
}
