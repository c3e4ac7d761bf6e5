import Crypto
import Foundation
import SwiftASN1
import TLSWire
@_spi(FixedExpiryValidationTime) import X509

/// Analyses a presented chain with swift-certificates: path to the system roots or an extra
/// CA file (RFC 5280 §6 via `RFC5280Policy`), name match, expiry (time injected), key, signature.
struct CertificateAnalyzer {
    let caFile: String?
    let now: Date

    func analyze(chain der: [[UInt8]], host: String) async -> CertificateReport {
        var report = CertificateReport()
        report.chainDER = der
        let certs = der.compactMap { try? Certificate(derEncoded: $0) }
        guard let leaf = certs.first, certs.count == der.count else {
            report.trustDetail = "the server's certificate could not be parsed"
            return report
        }
        report.chain = zip(certs, der).map { Self.entry($0.0, der: $0.1) }
        report.spkiDER = certs.map { cert in
            var s = DER.Serializer()
            return (try? s.serialize(cert.publicKey)).map { s.serializedBytes } ?? []
        }
        if let sans = try? leaf.extensions.subjectAlternativeNames {
            for case .dnsName(let n) in sans { report.sans.append(n) }
        }
        let names = report.sans.isEmpty ? Self.commonNames(leaf) : report.sans
        report.nameMatches = HostnameMatch.matches(host.hasSuffix(".") ? String(host.dropLast()) : host, names: names)
        report.nameOnlyInCommonName = report.nameMatches && report.sans.isEmpty
        report.daysToExpiry = Int((leaf.notValidAfter.timeIntervalSince(now) / 86_400).rounded(.down))

        var roots = CertificateStore.systemTrustRoots
        if let caFile, let pem = try? String(contentsOfFile: caFile, encoding: .utf8) {
            roots.append(contentsOf: Self.pemCertificates(pem))
        }
        var verifier = Verifier(rootCertificates: roots) { RFC5280Policy(fixedExpiryValidationTime: now) }
        let result = await verifier.validate(leaf: leaf, intermediates: CertificateStore(certs.dropFirst()))
        switch result {
        case .validCertificate(let path):
            report.trusted = true
            report.trustDetail = "chains to \(path.last?.subject.description ?? "a trusted root")"
        case .couldNotValidate(let failures):
            report.trusted = false
            let selfSigned = report.chain.first?.selfSigned ?? false
            report.incompleteChain = !selfSigned && certs.count == 1 && leaf.subject != leaf.issuer
            report.trustDetail = selfSigned ? "self-signed"
                : failures.first.map { "\($0.policyFailureReason)" } ?? "no path to a trusted root"
        }
        return report
    }

    static func entry(_ c: Certificate, der: [UInt8]) -> CertificateReport.Entry {
        let (type, bits) = keyInfo(c.publicKey)
        let selfSigned = c.subject == c.issuer && c.publicKey.isValidSignature(c.signature, for: c)
        return CertificateReport.Entry(
            subject: c.subject.description, issuer: c.issuer.description,
            notBefore: c.notValidBefore.timeIntervalSince1970, notAfter: c.notValidAfter.timeIntervalSince1970,
            keyType: type, keyBits: bits, signatureAlgorithm: "\(c.signatureAlgorithm)".replacingOccurrences(of: "SignatureAlgorithm.", with: ""), selfSigned: selfSigned,
            sha256: SHA256.hash(data: der).map { String(format: "%02x", $0) }.joined())
    }

    /// `RSA2048.PublicKey`, `P256.PublicKey`, `Ed25519.PublicKey` → (type, bits).
    static func keyInfo(_ key: Certificate.PublicKey) -> (String, Int) {
        let d = key.description
        if d.hasPrefix("RSA"), let bits = Int(d.dropFirst(3).prefix { $0.isNumber }) { return ("RSA", bits) }
        if d.hasPrefix("P256") { return ("ECDSA-P256", 256) }
        if d.hasPrefix("P384") { return ("ECDSA-P384", 384) }
        if d.hasPrefix("P521") { return ("ECDSA-P521", 521) }
        if d.hasPrefix("Ed25519") { return ("Ed25519", 256) }
        return (d, 0)
    }

    static func commonNames(_ c: Certificate) -> [String] {
        c.subject.flatMap { $0 }.filter { $0.type == .RDNAttributeType.commonName }.map { "\($0.value)" }
    }

    static func pemCertificates(_ text: String) -> [Certificate] {
        text.components(separatedBy: "-----END CERTIFICATE-----").compactMap { block in
            guard let r = block.range(of: "-----BEGIN CERTIFICATE-----") else { return nil }
            return try? Certificate(pemEncoded: String(block[r.lowerBound...]) + "-----END CERTIFICATE-----")
        }
    }
}
