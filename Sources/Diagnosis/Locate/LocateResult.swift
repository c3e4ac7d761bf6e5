import DNSWire
import MailCore

/// What the locate stage learnt about a domain's mail DNS. Codable: it goes into `mxray dns`
/// JSON and, later, into the full `Report`.
public struct LocateResult: Sendable, Codable {
    /// How the set of mail hosts was found.
    public enum MXKind: String, Sendable, Codable {
        /// MX records named the hosts.
        case explicit
        /// No MX: the domain's own A/AAAA act as one MX of preference 0 (RFC 5321 §5.1).
        case implicit
        /// RFC 7505 null MX: no mail accepted.
        case nullMX = "null"
        /// No MX and no address: nowhere to deliver.
        case none
        /// The domain does not exist.
        case nxdomain
        /// The MX lookup failed (SERVFAIL, timeout, unreachable resolver).
        case failed
    }

    public var domain: DomainName
    /// Servers the answers came from (`127.0.10.54:53`) and where they were configured.
    public var resolvers: [String]
    public var mxKind: MXKind
    /// Every MX record, sorted by preference then name.
    public var mxRecords: [MXRecord]
    public var mxTTL: UInt32?
    public var mxAuthenticated: Bool
    /// The hosts examined (at most 10), in preference order.
    public var hosts: [MailHost]
    /// MX targets beyond the tenth, listed but not examined.
    public var unexaminedHosts: [DomainName]
    public var zone: ZoneCheck?
    public var dnssec: DNSSECCheck
    public var findings: [Finding]
    public var evidence: [Evidence]
    /// Every query the stage made, in a stable order (MX, hosts, PTRs, servers, DNSSEC).
    public var traces: [DNSTrace]
    /// For `failed` / `nxdomain`: what happened, as a person reads it.
    public var failure: String?
}

/// One mail host (an MX target, or the domain itself for an implicit MX).
public struct MailHost: Sendable, Codable {
    public enum Status: String, Sendable, Codable {
        case ok
        /// The name exists but has no A/AAAA.
        case noAddress = "no-address"
        case nxdomain
        /// The MX target is an IP literal.
        case ipLiteral = "ip-literal"
        /// A lookup failed temporarily: could not test.
        case failed
    }

    public var name: DomainName
    public var preference: UInt16
    public var status: Status
    /// CNAMEs between the MX target and its addresses (empty when the target is canonical).
    public var cnameChain: [DomainName]
    public var addresses: [HostAddress]
    public var ipv4TTL: UInt32?
    public var ipv6TTL: UInt32?
    /// AD on both address answers.
    public var authenticated: Bool
    public var failure: String?
}

/// One address of a mail host with its reverse DNS.
public struct HostAddress: Sendable, Codable {
    public var address: IPAddress
    public var ttl: UInt32?
    public var ptrStatus: DNSStatus
    public var ptrNames: [DomainName]
    public var ptrTTL: UInt32?
    /// The PTR names whose forward lookup includes this address (RFC 8601 §2.7.3 "iprev").
    public var confirmedNames: [DomainName]
    public var authenticated: Bool

    /// Forward-confirmed reverse DNS: some PTR name resolves back to this address.
    public var fcrdns: Bool { !confirmedNames.isEmpty }
}

/// The zone the domain lives in and what each of its name servers says when asked directly.
public struct ZoneCheck: Sendable, Codable {
    public var apex: DomainName
    public var nameservers: [NameserverProbe]
    /// Distinct SOA serials among the servers that answered.
    public var serials: [UInt32]
    public var consistent: Bool
}

public struct NameserverProbe: Sendable, Codable {
    public enum Status: String, Sendable, Codable {
        case ok
        /// Answered but not authoritatively, refused, failed, or did not answer.
        case lame
        /// The server's name has no address.
        case noAddress = "no-address"
    }
    public var name: DomainName
    public var address: IPAddress?
    public var status: Status
    public var soaSerial: UInt32?
    /// The MX set this server holds for the domain (sorted), nil when it gave none.
    public var mxRecords: [MXRecord]?
    public var rttMicroseconds: Int?
    public var detail: String?
}

public struct DNSSECCheck: Sendable, Codable {
    public enum State: String, Sendable, Codable {
        /// DNSKEY present and the resolver set AD.
        case validated
        /// DNSKEY present, no AD: the resolver does not validate, or no chain of trust.
        case signedNotValidated = "signed-not-validated"
        /// No DNSKEY at the apex.
        case unsigned
        /// Validation fails: SERVFAIL that goes away with CD.
        case bogus
        /// Could not tell (lookups failed).
        case unknown
    }
    public var state: State
    public var zone: DomainName?
    public var dnskeyCount: Int
    /// Whether the resolver set AD on any answer of this run.
    public var resolverValidates: Bool
}
