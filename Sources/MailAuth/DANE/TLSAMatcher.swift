import Crypto
import DNSWire

/// DANE TLSA matching against a presented chain (RFC 6698 §2.1, RFC 7672 for SMTP).
///
/// Pure: the caller gives the TLSA records (with whether the answer was DNSSEC-authentic) and
/// the chain as DER certificates with their DER SubjectPublicKeyInfo.
public struct TLSAMatcher: Sendable {
    public enum Outcome: String, Sendable, Codable {
        case match, mismatch
        /// A record this context must ignore: PKIX usages on SMTP (RFC 7672 §3.1.3), unknown
        /// selector or matching type (RFC 6698 §4.1).
        case unusable
    }

    public struct ChainEntry: Sendable {
        public let certificate: [UInt8]
        public let spki: [UInt8]
        public init(certificate: [UInt8], spki: [UInt8]) { self.certificate = certificate; self.spki = spki }
    }

    /// The port the records are for: on 25, only usages 2 (DANE-TA) and 3 (DANE-EE) count.
    public let port: Int

    public init(port: Int) { self.port = port }

    public func match(_ record: TLSARecord, chain: [ChainEntry]) -> Outcome {
        // RFC 7672 §3.1.3: SMTP clients treat usages 0 and 1 (PKIX-TA/PKIX-EE) as unusable.
        if port == 25 && record.usage < 2 { return .unusable }
        guard record.usage <= 3, record.selector <= 1, record.matchingType <= 2 else { return .unusable }
        // RFC 7672 §3.1.1: DANE-EE (3) matches the leaf only; DANE-TA (2) any certificate above
        // it that the server sent; PKIX usages: 1 = leaf, 0 = any CA in the chain.
        let candidates: ArraySlice<ChainEntry>
        switch record.usage {
        case 3, 1: candidates = chain.prefix(1)
        default: candidates = chain.dropFirst()
        }
        for entry in candidates {
            // RFC 6698 §2.1.2: selector 0 = full certificate, 1 = SubjectPublicKeyInfo.
            let selected = record.selector == 0 ? entry.certificate : entry.spki
            guard !selected.isEmpty else { continue }
            // RFC 6698 §2.1.3: 0 = exact, 1 = SHA-256, 2 = SHA-512.
            let digest: [UInt8]
            switch record.matchingType {
            case 0: digest = selected
            case 1: digest = Array(SHA256.hash(data: selected))
            default: digest = Array(SHA512.hash(data: selected))
            }
            if digest == record.data { return .match }
        }
        return .mismatch
    }
}
