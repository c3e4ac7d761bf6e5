import DNSWire
import MailCore

/// The locate stage run through one resolver, under a label (`inside`, `outside`).
public struct LabelledLocate: Sendable, Codable {
    public var label: String
    public var resolver: String
    public var result: LocateResult

    public init(label: String, resolver: String, result: LocateResult) {
        self.label = label
        self.resolver = resolver
        self.result = result
    }
}

/// One difference between two views.
public struct SplitDifference: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Codable { case mx, address, record, failure }
    public var kind: Kind
    /// What differs: `MX set`, `mx1.example.org A/AAAA`, `PTR of 192.0.2.1`.
    public var subject: String
    /// The value in each view, in the order of the views.
    public var values: [String]
}

public struct SplitViewReport: Sendable, Codable {
    public var domain: DomainName
    public var views: [LabelledLocate]
    public var differences: [SplitDifference]
    public var findings: [Finding]
    public var evidence: [Evidence]
}

/// Compares what the locate stage found through two (or more) resolvers: the MX set, each mail
/// host's addresses and status, reverse DNS, the DNSSEC state. Pure: works on `LocateResult`s.
public enum SplitViewComparison {
    public static func compare(_ domain: DomainName, _ views: [LabelledLocate]) -> SplitViewReport {
        var diffs: [SplitDifference] = []
        var findings: [Finding] = []
        var evidence: [Evidence] = []
        for v in views {
            evidence.append(Evidence(id: "split:\(v.label)", kind: .dns, title: "\(v.label) view via \(v.resolver)",
                                     lines: v.result.traces.map(\.description)))
        }
        let allIDs = views.map { "split:\($0.label)" }
        func def(_ id: String) -> FindingDefinition {
            guard let d = FindingCatalog.definition(id) else { preconditionFailure("finding \(id) missing from the catalog") }
            return d
        }
        func labelled(_ values: [String]) -> String {
            zip(views, values).map { "\($0.label): \($1)" }.joined(separator: "; ")
        }
        // A view that failed cannot be compared record by record.
        let failed = views.filter { [.failed].contains($0.result.mxKind) }
        for v in failed {
            diffs.append(SplitDifference(kind: .failure, subject: "MX lookup", values: views.map { $0.result.failure ?? $0.result.mxKind.rawValue }))
            findings.append(def("split.view.failed").raise(subject: "\(domain) (\(v.label))",
                detail: "The \(v.label) view (\(v.resolver)) could not resolve the MX set: \(v.result.failure ?? "lookup failed")",
                evidence: ["split:\(v.label)"]))
        }
        guard failed.isEmpty, views.count >= 2 else {
            return SplitViewReport(domain: domain, views: views, differences: diffs, findings: findings, evidence: evidence)
        }
        // MX sets (RFC 5321 §5.1: senders choose among exactly these).
        let mxSets = views.map { v -> String in
            switch v.result.mxKind {
            case .explicit: return v.result.mxRecords.map { "\($0.preference) \($0.exchange)" }.joined(separator: ", ")
            default: return "(\(v.result.mxKind.rawValue))"
            }
        }
        if Set(mxSets).count > 1 {
            diffs.append(SplitDifference(kind: .mx, subject: "MX set", values: mxSets))
            findings.append(def("split.mx.differs").raise(subject: domain.description, detail: "MX set — \(labelled(mxSets))", evidence: allIDs))
        }
        // Hosts present in every view: addresses, status, reverse DNS.
        let names = views[0].result.hosts.map(\.name).filter { n in views.allSatisfy { $0.result.hosts.contains { $0.name == n } } }
        for name in names {
            let hosts = views.map { v in v.result.hosts.first { $0.name == name }! }
            let addrs = hosts.map { h in h.addresses.map(\.address).sorted().map(\.description).joined(separator: ", ") }
            if Set(addrs).count > 1 {
                diffs.append(SplitDifference(kind: .address, subject: "\(name) A/AAAA", values: addrs.map { $0.isEmpty ? "(none)" : $0 }))
                findings.append(def("split.address.differs").raise(subject: name.description,
                    detail: "\(name) resolves differently — \(labelled(addrs.map { $0.isEmpty ? "(none)" : $0 }))", evidence: allIDs))
            }
            let status = hosts.map(\.status.rawValue)
            if Set(status).count > 1 {
                diffs.append(SplitDifference(kind: .record, subject: "\(name) status", values: status))
                findings.append(def("split.record.differs").raise(subject: name.description, detail: "Host status — \(labelled(status))", evidence: allIDs))
            }
            let cnames = hosts.map { $0.cnameChain.map(\.description).joined(separator: " → ") }
            if Set(cnames).count > 1 {
                diffs.append(SplitDifference(kind: .record, subject: "\(name) CNAME chain", values: cnames))
                findings.append(def("split.record.differs").raise(subject: name.description, detail: "CNAME chain — \(labelled(cnames))", evidence: allIDs))
            }
            // Reverse DNS of addresses both views share.
            let shared = hosts[0].addresses.map(\.address).filter { ip in hosts.allSatisfy { $0.addresses.contains { $0.address == ip } } }
            for ip in shared {
                let ptrs = hosts.map { h in
                    let a = h.addresses.first { $0.address == ip }!
                    return a.ptrNames.isEmpty ? "(\(a.ptrStatus.rawValue))" : a.ptrNames.map(\.description).sorted().joined(separator: ", ")
                }
                if Set(ptrs).count > 1 {
                    diffs.append(SplitDifference(kind: .record, subject: "PTR of \(ip)", values: ptrs))
                    findings.append(def("split.record.differs").raise(subject: "\(ip)", detail: "Reverse DNS — \(labelled(ptrs))", evidence: allIDs))
                }
            }
        }
        let dnssec = views.map(\.result.dnssec.state.rawValue)
        if Set(dnssec).count > 1 {
            diffs.append(SplitDifference(kind: .record, subject: "DNSSEC state", values: dnssec))
            findings.append(def("split.record.differs").raise(subject: domain.description, detail: "DNSSEC — \(labelled(dnssec))", evidence: allIDs))
        }
        if diffs.isEmpty {
            findings.append(def("split.consistent").raise(subject: domain.description,
                detail: "\(views.map(\.label).joined(separator: " and ")) agree on the MX set, every host's addresses and reverse DNS", evidence: allIDs))
        }
        return SplitViewReport(domain: domain, views: views, differences: diffs, findings: findings, evidence: evidence)
    }
}
