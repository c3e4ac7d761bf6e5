import Foundation
import LabSupport
import Probes
import Testing
import TLSWire

/// Cross-check against testssl.sh (Debian package testssl.sh, binary `testssl`): for a lab port,
/// the accepted versions and the accepted suites per version must be the same sets.
/// testssl takes about a minute a port, so this runs on one port with the widest variety.
@Suite(.serialized) struct TestsslCrossCheckTests {
    static let versionIDs: [String: TLSProtocolVersion] = [
        "SSLv3": .ssl3, "TLS1": .tls10, "TLS1_1": .tls11, "TLS1_2": .tls12, "TLS1_3": .tls13,
    ]
    static let cipherPrefixes: [String: TLSProtocolVersion] = [
        "cipher-ssl3_x": .ssl3, "cipher-tls1_x": .tls10, "cipher-tls1_1_x": .tls11, "cipher-tls1_2_x": .tls12, "cipher-tls1_3_x": .tls13,
    ]

    /// Runs testssl -p -E (protocols, ciphers per protocol) and reads its JSON file.
    static func testssl(address: String, port: Int, starttls: String?) throws -> (Set<TLSProtocolVersion>, [TLSProtocolVersion: Set<UInt16>]) {
        let json = FileManager.default.temporaryDirectory.appendingPathComponent("mxray-testssl-\(port)-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: json) }
        var args = ["testssl", "--quiet", "--nodns", "none", "--warnings", "batch", "-p", "-E", "--jsonfile", json]
        if let starttls { args += ["--starttls", starttls] }
        args.append("\(address):\(port)")
        let (status, output) = try LabEnvironment.run(args, timeout: 240)
        guard let data = FileManager.default.contents(atPath: json),
              let items = try JSONSerialization.jsonObject(with: data) as? [[String: Any]] else {
            throw CrossCheckError(message: "testssl wrote no JSON (exit \(status)): \(output.suffix(400))")
        }
        var versions = Set<TLSProtocolVersion>()
        var suites: [TLSProtocolVersion: Set<UInt16>] = [:]
        for item in items {
            guard let id = item["id"] as? String, let finding = item["finding"] as? String else { continue }
            if let v = versionIDs[id], finding.hasPrefix("offered") { versions.insert(v) }
            for (prefix, v) in cipherPrefixes where id.hasPrefix(prefix) {
                if let code = UInt16(id.dropFirst(prefix.count), radix: 16) { suites[v, default: []].insert(code) }
            }
        }
        return (versions, suites)
    }

    struct CrossCheckError: Error, CustomStringConvertible { let message: String; var description: String { message } }

    @Test func weakSMTPPortMatchesTestssl() async throws {
        let lab = try LabEnvironment.require()
        let address = try lab.address("WEAK_MX")
        var o = TLSScanOptions(host: "mx.weak.lab.test", address: address, port: 25, starttls: .smtp)
        o.fetchCertificate = false
        let mine = await TLSScanner(options: o).scan()
        let (versions, suites) = try Self.testssl(address: address, port: 25, starttls: "smtp")
        #expect(Set(mine.acceptedVersions) == versions)
        for v in versions {
            let ours = Set(mine.versions.first { $0.version == v }?.suites ?? [])
            #expect(ours == suites[v] ?? [], "\(v): mxray \(ours.map(IANATables.suiteName).sorted()) vs testssl \((suites[v] ?? []).map(IANATables.suiteName).sorted())")
        }
    }
}
