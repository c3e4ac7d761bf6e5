import DNSWire
import MailAuth
import MailCore

/// What the auth stage learnt about a domain's sender-authentication policies. Codable: it goes
/// into `mxray dns` JSON and, later, the full `Report`.
public struct AuthResult: Sendable, Codable {
    public struct SPF: Sendable, Codable {
        public var status: String            // found, none, multiple, temperror
        public var record: String?
        public var lookupsUsed: Int
        public var issues: [String]
        /// The record's verdict for an address it does not list (the `all` or redirect outcome).
        public var defaultResult: String?
    }

    public struct DMARC: Sendable, Codable {
        public var status: String            // found, none, multiple, temperror, invalid
        public var recordName: String?
        public var record: String?
        public var organizationalDomain: String?
        public var policy: String?
        public var subdomainPolicy: String?
        public var percent: Int?
        public var strength: String
        public var rua: [String]
        public var issues: [String]
        public var externalDestinations: [String]
        public var spec: String
    }

    public struct DKIMKey: Sendable, Codable {
        public var selector: String
        public var name: String
        public var keyType: String?
        public var keySize: Int?
        public var revoked: Bool
        public var testing: Bool
        public var error: String?
    }

    public struct DKIM: Sendable, Codable {
        public var selectorsTried: [String]
        public var keys: [DKIMKey]
    }

    public struct MTASTS: Sendable, Codable {
        public var status: String
        public var id: String?
        public var url: String?
        public var httpStatus: Int?
        public var mode: String?
        public var mx: [String]
        public var maxAge: Int?
        public var uncoveredMX: [String]
        public var error: String?
    }

    public struct SimpleRecord: Sendable, Codable {
        public var name: String
        public var status: String            // found, none, invalid, temperror
        public var record: String?
        public var detail: [String]
        public var error: String?
    }

    public var domain: DomainName
    public var spf: SPF
    public var dmarc: DMARC
    public var dkim: DKIM
    public var mtaSTS: MTASTS
    public var tlsRPT: SimpleRecord
    public var bimi: SimpleRecord
    public var findings: [Finding]
    public var evidence: [Evidence]
}
