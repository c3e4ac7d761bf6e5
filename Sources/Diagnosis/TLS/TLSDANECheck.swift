import DNSWire
import MailAuth
import MailCore
import TLSWire

/// Looks up `_PORT._tcp.HOST` TLSA (RFC 6698 §3, RFC 7672 §2.2) and matches each record against
/// the chain the scan captured. Only through `DNSResolver`: unit-testable with an in-memory zone.
public struct TLSDANECheck: Sendable {
    public let resolver: any DNSResolver

    public init(resolver: any DNSResolver) { self.resolver = resolver }

    public func evaluate(host: String, port: Int, certificate: CertificateReport?) async -> DANEReport {
        let nameText = "_\(port)._tcp.\(host.hasSuffix(".") ? String(host.dropLast()) : host)"
        guard let name = try? DomainName(nameText) else {
            return DANEReport(name: nameText, authentic: false, lookupStatus: "not a valid name")
        }
        let lookup = await resolver.lookupTLSA(name)
        var report = DANEReport(name: nameText, authentic: lookup.authenticated, lookupStatus: "\(lookup.status)")
        guard !lookup.values.isEmpty else { return report }
        let chain = zip(certificate?.chainDER ?? [], certificate?.spkiDER ?? []).map { TLSAMatcher.ChainEntry(certificate: $0.0, spki: $0.1) }
        let matcher = TLSAMatcher(port: port)
        for record in lookup.values {
            let outcome = chain.isEmpty ? "no-certificate" : matcher.match(record, chain: chain).rawValue
            report.records.append(.init(usage: record.usage, selector: record.selector, matchingType: record.matchingType,
                                        data: record.data.map { hex2($0) }.joined(), result: outcome))
        }
        return report
    }
}

func hex2(_ b: UInt8) -> String {
    let d = Array("0123456789abcdef")
    return String([d[Int(b >> 4)], d[Int(b & 15)]])
}
