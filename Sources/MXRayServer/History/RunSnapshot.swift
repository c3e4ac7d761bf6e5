import Diagnosis
import Foundation
import MailWire
import TLSWire

/// The parts of a report whose changes matter to an admin, in a stable, comparable form:
/// MX set, SPF/DMARC/MTA-STS records, certificate fingerprint and expiry, TLS versions
/// offered, port states. Stored with each run; the next run's changes are the differences.
struct RunSnapshot: Codable, Equatable {
    /// `10 mx1.example.org.` lines, sorted; nil when the MX lookup did not complete.
    var mx: [String]?
    var spf: String?
    var dmarc: String?
    /// `id=…; mode=…; mx=…` of the MTA-STS record and policy; nil when not looked up.
    var mtaSTS: String?
    /// `host:port` → `sha256 notAfter` of the leaf certificate.
    var certificates: [String: String]
    /// `host:port` → `TLSv1.2, TLSv1.3`.
    var tlsVersions: [String: String]
    /// `address:port` → `open`, `refused`, `filtered`, …
    var ports: [String: String]

    init(report: Report) {
        if let l = report.locate, l.mxKind != .failed {
            mx = l.mxRecords.map { "\($0.preference) \($0.exchange)" }.sorted()
        }
        if let a = report.auth {
            spf = a.spf.status == "temperror" ? nil : (a.spf.record ?? "(none)")
            dmarc = a.dmarc.status == "temperror" ? nil : (a.dmarc.record ?? "(none)")
            let m = a.mtaSTS
            mtaSTS = "status=\(m.status); id=\(m.id ?? "-"); mode=\(m.mode ?? "-"); mx=\(m.mx.sorted().joined(separator: ","))"
        }
        var certificates: [String: String] = [:]
        var versions: [String: String] = [:]
        for t in report.tls where t.status != .couldNotTest && t.status != .unreachable {
            if let leaf = t.certificate?.chain.first {
                let expiry = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: leaf.notAfter))
                certificates[t.subject] = "sha256=\(leaf.sha256) notAfter=\(expiry)"
            }
            let accepted = t.acceptedVersions.sorted().map(\.description)
            if !t.versions.isEmpty { versions[t.subject] = accepted.isEmpty ? "(none)" : accepted.joined(separator: ", ") }
        }
        self.certificates = certificates
        self.tlsVersions = versions
        ports = Dictionary(report.ports.map { ("\($0.address):\($0.port)", $0.connect.state.rawValue) }, uniquingKeysWith: { a, _ in a })
    }

    /// The change events from `previous` to `self`. A part that was not observed in either run
    /// (nil, or a key missing on one side because that stage could not test) is not a change.
    func changes(since previous: RunSnapshot, target: String, at: Date) -> [ChangeEvent] {
        var out: [ChangeEvent] = []
        func add(_ kind: ChangeKind, _ subject: String, _ before: String?, _ after: String?) {
            guard before != after else { return }
            out.append(ChangeEvent(target: target, at: at, kind: kind, subject: subject, before: before, after: after))
        }
        if let old = previous.mx, let new = mx { add(.mx, "MX", old.joined(separator: "\n"), new.joined(separator: "\n")) }
        if let old = previous.spf, let new = spf { add(.spf, "SPF", old, new) }
        if let old = previous.dmarc, let new = dmarc { add(.dmarc, "DMARC", old, new) }
        if let old = previous.mtaSTS, let new = mtaSTS { add(.mtaSTS, "MTA-STS", old, new) }
        for key in Set(previous.certificates.keys).intersection(certificates.keys).sorted() {
            add(.certificate, key, previous.certificates[key], certificates[key])
        }
        for key in Set(previous.tlsVersions.keys).intersection(tlsVersions.keys).sorted() {
            add(.tlsVersions, key, previous.tlsVersions[key], tlsVersions[key])
        }
        // A port that appears or disappears (the MX set changed) is a change too.
        // When one run probed nothing (deadline, DNS failure) there is nothing to compare.
        if !previous.ports.isEmpty, !ports.isEmpty {
            for key in Set(previous.ports.keys).union(ports.keys).sorted() {
                add(.ports, key, previous.ports[key], ports[key])
            }
        }
        return out
    }
}
