import Diagnosis
import Foundation
import LabSupport
import MailCore
import MailWire
@testable import MXRayServer
import TLSWire

/// Helpers shared by the serve tests: temporary folders, synthetic reports, the mxray binary.
enum ServeTestSupport {
    static func tempDir(_ label: String) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mxray-serve-\(label)-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// A report of a host target with the given port states, TLS versions and leaf certificate.
    static func report(ports: [(String, Int, ConnectObservation.State)], versions: [TLSProtocolVersion] = [.tls12, .tls13],
                       certSHA: String = "aa", notAfter: Double = 2_000_000_000, findings: [Finding] = [],
                       at: Date = Date(timeIntervalSince1970: 1_800_000_000)) -> Report {
        let target = try! CheckTarget.parse("127.0.20.1", asHost: true)
        var observations: [PortObservation] = []
        for (address, port, state) in ports {
            var p = PortObservation(address: address, host: "mx1.good.lab.test", port: port, service: .forPort(port),
                                    connect: ConnectObservation(state: state, milliseconds: 1.5), transcript: Transcript(label: "t"))
            if state == .open { p.steps = [StepTiming(name: "banner", milliseconds: 2, result: "220"), StepTiming(name: "EHLO", milliseconds: 1, result: "250")] }
            observations.append(p)
        }
        var scan = TLSScanResult(host: "mx1.good.lab.test", address: "127.0.20.1", port: 25, starttls: "smtp")
        scan.versions = TLSProtocolVersion.scanned.map { VersionResult(version: $0, accepted: versions.contains($0)) }
        var cert = CertificateReport()
        cert.chain = [.init(subject: "CN=mx1.good.lab.test", issuer: "CN=lab CA", notBefore: 1_700_000_000, notAfter: notAfter,
                            keyType: "EC", keyBits: 256, signatureAlgorithm: "ecdsa-with-SHA256", selfSigned: false, sha256: certSHA)]
        cert.trusted = false
        scan.certificate = cert
        return Report(target: target, resolvers: ["127.0.10.54"], startedAt: at, finishedAt: at.addingTimeInterval(1.25),
                      stages: [StageResult(name: Stage.probe, status: .completed, detail: "", milliseconds: 10)],
                      findings: findings, ports: observations, tls: [scan])
    }

    /// The `mxray` executable next to the test bundle (built by `swift test` with the rest).
    static func mxrayBinary() throws -> String {
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var dir = exe.deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("mxray").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        struct NoBinary: Error, CustomStringConvertible { var description: String { "the mxray executable was not built next to the tests (run swift build first)" } }
        throw NoBinary()
    }

    /// A free TCP port on 127.0.0.1 (bound then released).
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    /// GET/POST over plain HTTP with URLSession-free code: curl (always installed here).
    static func http(_ method: String, _ url: String, timeout: Double = 10) throws -> (status: Int, body: String) {
        let r = try LabEnvironment.run(["curl", "-s", "-m", String(Int(timeout)), "-X", method, "-w", "\n%{http_code}", url], timeout: timeout + 2)
        let lines = r.output.split(separator: "\n", omittingEmptySubsequences: false)
        return (Int(lines.last ?? "") ?? 0, lines.dropLast().joined(separator: "\n"))
    }

    /// A lab configuration: good.lab.test (domain) and the good MX as a host target.
    static func labConfigYAML(lab: LabEnvironment, dir: String, port: Int, interval: String = "5m") -> String {
        """
        listen: 127.0.0.1:\(port)
        resolvers: [\(lab.resolver)]
        ca_file: \(lab.caFile)
        defaults:
          interval: \(interval)
          jitter: 1s
          timeout: 30s
          checks: [probe, tls, mta-sts]
        targets:
          - name: good
            domain: good.lab.test
          - name: good-mx1
            host: mx1.good.lab.test
            ports: [25, 587, 993]
        history:
          path: \(dir)/history.sqlite
        probe:
          allow: ["127.0.20.0/24"]
        auth:
          disabled: true
        """
    }
}
