import DNSWire
import MailCore

/// One DNS block list (RFC 5782) and what its answers mean. Lists answer an A query for the
/// reversed address under their zone: a 127.0.0.0/8 address means "listed" (RFC 5782 §2.1), but
/// several lists use some of those addresses for errors — refusals for resolvers they do not
/// serve, rate limits — which must never be read as a listing.
public struct DNSBLZone: Sendable, Hashable, Codable {
    public var name: DomainName
    /// Documented meanings of "listed" answers by address (`127.0.0.2` → "SBL").
    public var listedCodes: [String: String]
    /// Documented error answers by address (`127.255.255.254` → "query via a public resolver").
    public var errorCodes: [String: String]
    /// Whether the list answers IPv6 queries (RFC 5782 §2.4).
    public var ipv6: Bool

    public init(name: DomainName, listedCodes: [String: String] = [:], errorCodes: [String: String] = [:], ipv6: Bool = true) {
        self.name = name
        self.listedCodes = listedCodes
        self.errorCodes = errorCodes
        self.ipv6 = ipv6
    }

    /// Spamhaus' error range (news article 788, 2019): 127.255.255.0/24 never means listed.
    static let spamhausErrors: [String: String] = [
        "127.255.255.252": "typing error in the DNSBL name",
        "127.255.255.254": "query through a public/open resolver: not served",
        "127.255.255.255": "excessive number of queries: rate limited",
    ]

    /// The common public lists. Meanings from each list's documentation (Spamhaus DNSBL usage
    /// FAQ; SpamCop, PSBL, Barracuda, UCEPROTECT: 127.0.0.2 = listed).
    public static let defaults: [DNSBLZone] = [
        DNSBLZone(name: DomainName(uncheckedLabels: ["zen", "spamhaus", "org"]),
                  listedCodes: ["127.0.0.2": "SBL (spam source)", "127.0.0.3": "SBL CSS (snowshoe spam)",
                                "127.0.0.4": "XBL (exploited host)", "127.0.0.5": "XBL", "127.0.0.6": "XBL", "127.0.0.7": "XBL",
                                "127.0.0.9": "SBL DROP", "127.0.0.10": "PBL (ISP policy: no direct mail)",
                                "127.0.0.11": "PBL (Spamhaus policy: no direct mail)"],
                  errorCodes: spamhausErrors),
        DNSBLZone(name: DomainName(uncheckedLabels: ["bl", "spamcop", "net"]), listedCodes: ["127.0.0.2": "listed"], ipv6: false),
        DNSBLZone(name: DomainName(uncheckedLabels: ["b", "barracudacentral", "org"]), listedCodes: ["127.0.0.2": "listed"], ipv6: false),
        DNSBLZone(name: DomainName(uncheckedLabels: ["psbl", "surriel", "com"]), listedCodes: ["127.0.0.2": "listed"], ipv6: false),
        DNSBLZone(name: DomainName(uncheckedLabels: ["dnsbl-1", "uceprotect", "net"]), listedCodes: ["127.0.0.2": "listed"], ipv6: false),
    ]

    /// A zone given on the command line: the known profile when it is one of the defaults, else a
    /// generic list (127.0.0.2… listed; the 127.255.255.0/24 range and 127.0.0.1 are errors).
    public static func named(_ name: DomainName) -> DNSBLZone {
        defaults.first { $0.name == name } ?? DNSBLZone(name: name)
    }

    /// RFC 5782 §2.1 (IPv4: octets reversed) and §2.4 (IPv6: nibbles reversed) under the zone.
    public func queryName(for address: IPAddress) -> DomainName {
        let reversed = address.reverseName.labels.dropLast(2)  // drop in-addr.arpa / ip6.arpa
        return DomainName(uncheckedLabels: Array(reversed) + name.labels)
    }

    /// What one answer means.
    public func classify(_ answer: DNSAnswer) -> DNSBLStatus {
        switch answer.status {
        case .nxdomain, .nodata: return .notListed
        case .timeout: return .noAnswer("timeout: \(answer.detail ?? "no reply")")
        case .servfail: return .noAnswer("SERVFAIL (the list's servers did not answer the resolver)")
        case .unreachable: return .noAnswer("resolver unreachable: \(answer.detail ?? "")")
        case .error: return .noAnswer("error: \(answer.detail ?? answer.rcode?.description ?? "bad reply")")
        case .refused: return .refused("the resolver or the list answered REFUSED")
        case .answer: break
        }
        let addresses = answer.rdata.compactMap { if case .a(let ip) = $0 { ip } else { nil } }
        return classify(addresses)
    }

    /// Classifies the A records of a reply: errors win over listings (a list never mixes them;
    /// if it does, the answer cannot be trusted as a listing).
    public func classify(_ addresses: [IPAddress]) -> DNSBLStatus {
        guard !addresses.isEmpty else { return .notListed }
        var listed: [String] = []
        for ip in addresses.sorted() {
            let text = ip.description
            if let meaning = errorCodes[text] { return .refused("\(text): \(meaning)") }
            guard case .v4(let v) = ip, v >> 24 == 127 else {
                // RFC 5782 §2.1: answers are in 127.0.0.0/8; anything else is a wildcarding
                // resolver or a broken list, not a listing.
                return .unexpected("\(text) is outside 127.0.0.0/8")
            }
            if v & 0xFFFF_FF00 == 0x7FFF_FF00 { return .refused("\(text): error range 127.255.255.0/24") }
            // RFC 5782 §5: 127.0.0.1 is never listed; lists answer it to say "stop querying".
            if v == 0x7F00_0001 { return .refused("127.0.0.1: the list refuses queries (or lists the world)") }
            listed.append(listedCodes[text].map { "\(text) (\($0))" } ?? text)
        }
        return .listed(listed)
    }
}

/// What a list says about one address.
public enum DNSBLStatus: Sendable, Hashable, Codable {
    /// Return codes with their documented meanings.
    case listed([String])
    case notListed
    /// The list refused to answer (error code, REFUSED): nothing is known about the address.
    case refused(String)
    /// Timeout, SERVFAIL, unreachable resolver.
    case noAnswer(String)
    /// An answer no list gives (outside 127/8).
    case unexpected(String)

    public var label: String {
        switch self {
        case .listed: return "listed"
        case .notListed: return "not listed"
        case .refused: return "refused"
        case .noAnswer: return "no answer"
        case .unexpected: return "unexpected"
        }
    }

    public var detail: String {
        switch self {
        case .listed(let codes): return codes.joined(separator: ", ")
        case .notListed: return ""
        case .refused(let s), .noAnswer(let s), .unexpected(let s): return s
        }
    }
}
