import Diagnosis
import DNSClient
import DNSWire
import Foundation
import LabSupport
import MXRayCLI
import Testing

/// `mxray audit` and the client-settings stage of `mxray check` against the lab.
@Suite("mxray audit against the lab", .serialized)
struct AuditLabTests {
    @Test("good.lab.test: the published client settings are confirmed in the check")
    func checkClientStage() async throws {
        let r = try await CheckLabTests.check("good.lab.test")
        let stage = try #require(r.stages.first { $0.name == Stage.clientConfig })
        #expect(stage.status == .completed)
        #expect(stage.detail.contains("autoconfig") && stage.detail.contains("srv"), "\(stage.detail)")
        #expect(!r.findings.contains { $0.id.hasPrefix("client.config.") }, "\(r.findings.filter { $0.id.hasPrefix("client.") }.map(\.detail))")
    }

    @Test("profiles over the lab: weak fails GDPR transport controls, good passes DANE/DNSSEC of BSI TR-03108")
    func profiles() async throws {
        let weak = try await CheckLabTests.check("weak.lab.test")
        let gdpr = ComplianceProfiles.gdprArt32.evaluate(weak)
        let clientAccess = try #require(gdpr.controls.first { $0.title == "Encrypt client access and submission" })
        #expect(clientAccess.status == .fail)
        #expect(clientAccess.findings.contains { $0.id == "smtp.auth.plaintext" })
        #expect(gdpr.controls.first { $0.title == "Encrypt mail in transit between servers" }?.status == .fail, "TLS 1.0/1.1 on weak")

        let good = try await CheckLabTests.check("good.lab.test")
        let bsi = ComplianceProfiles.bsiTR03108.evaluate(good)
        #expect(bsi.controls.first { $0.title.hasPrefix("DANE") }?.status == .pass, "\(bsi.controls.map { "\($0.title): \($0.status) \($0.reason)" })")
        #expect(bsi.controls.first { $0.title.hasPrefix("DNSSEC") }?.status == .pass)
        #expect(bsi.controls.first { $0.section == "3.1" }?.status == .notAssessed)
        let nist = ComplianceProfiles.nist800177r1.evaluate(good)
        #expect(nist.controls.first { $0.section == "4.6" }?.status == .pass)
        #expect(nist.controls.first { $0.section == "6" }?.status == .pass)
    }

    @Test("the CLI: exit codes, formats, --shard validation")
    func cli() async throws {
        let lab = try LabEnvironment.require()
        #expect(await MXRayMain.run(["audit", "weak.lab.test", "--profile", "gdpr-art32", "--resolver", lab.resolver, "--ca-file", lab.caFile]) == 1)
        #expect(await MXRayMain.run(["audit", "good.lab.test", "--profile", "mlps2-l3", "--resolver", lab.resolver, "--ca-file", lab.caFile, "--format", "html"]) != 2)
        #expect(await MXRayMain.run(["audit", "good.lab.test", "--profile", "sox"]) == 2)
        #expect(await MXRayMain.run(["audit", "good.lab.test"]) == 2)
        #expect(await MXRayMain.run(["audit", "--list-profiles"]) == 0)
        #expect(await MXRayMain.run(["audit", "nope.lab.test", "--profile", "nist", "--resolver", lab.resolver]) == 3)
        #expect(await MXRayMain.run(["check", "good.lab.test", "--shard", "0/2"]) == 2)
        #expect(await MXRayMain.run(["check", "--from-file", "/dev/null", "--format", "jsonl", "--shard", "2/2"]) == 2)
        #expect(await MXRayMain.run(["check", "--from-file", "/dev/null", "--format", "jsonl", "--shard", "1/2", "--resolver", lab.resolver]) == 0)
    }
}
