/// Wire constants of RFC 1035 and its successors, as open structs: a value the registry does not
/// name yet is still representable (RFC 3597 §5 writes it `TYPE65534`).

/// A resource record TYPE (RFC 1035 §3.2.2; IANA "Resource Record (RR) TYPEs").
public struct DNSRecordType: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible, Comparable {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    public init(_ rawValue: UInt16) { self.rawValue = rawValue }

    public static let a = DNSRecordType(1)
    public static let ns = DNSRecordType(2)
    public static let cname = DNSRecordType(5)
    public static let soa = DNSRecordType(6)
    public static let ptr = DNSRecordType(12)
    public static let hinfo = DNSRecordType(13)
    public static let mx = DNSRecordType(15)
    public static let txt = DNSRecordType(16)
    public static let aaaa = DNSRecordType(28)
    public static let srv = DNSRecordType(33)
    public static let ds = DNSRecordType(43)
    public static let rrsig = DNSRecordType(46)
    public static let nsec = DNSRecordType(47)
    public static let dnskey = DNSRecordType(48)
    public static let nsec3 = DNSRecordType(50)
    public static let nsec3param = DNSRecordType(51)
    public static let tlsa = DNSRecordType(52)
    public static let svcb = DNSRecordType(64)
    public static let https = DNSRecordType(65)
    /// RFC 7208 §14.1: the SPF RR type is deprecated; seen only to warn about it.
    public static let spf = DNSRecordType(99)
    public static let opt = DNSRecordType(41)
    public static let any = DNSRecordType(255)
    public static let caa = DNSRecordType(257)

    static let names: [UInt16: String] = [
        1: "A", 2: "NS", 5: "CNAME", 6: "SOA", 12: "PTR", 13: "HINFO", 15: "MX", 16: "TXT", 28: "AAAA",
        33: "SRV", 41: "OPT", 43: "DS", 46: "RRSIG", 47: "NSEC", 48: "DNSKEY", 50: "NSEC3",
        51: "NSEC3PARAM", 52: "TLSA", 64: "SVCB", 65: "HTTPS", 99: "SPF", 255: "ANY", 257: "CAA",
    ]

    /// `MX`, or `TYPE65534` for a type without a mnemonic (RFC 3597 §5).
    public var description: String { Self.names[rawValue] ?? "TYPE\(rawValue)" }

    /// Parses `MX`, `mx` or `TYPE15`.
    public init?(mnemonic text: String) {
        let up = text.uppercased()
        if let hit = Self.names.first(where: { $0.value == up }) { self.init(hit.key); return }
        if up.hasPrefix("TYPE"), let n = UInt16(up.dropFirst(4)) { self.init(n); return }
        return nil
    }

    public static func < (l: DNSRecordType, r: DNSRecordType) -> Bool { l.rawValue < r.rawValue }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let n = try? c.decode(UInt16.self) { self.init(n); return }
        let s = try c.decode(String.self)
        guard let t = DNSRecordType(mnemonic: s) else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "unknown record type \(s)")
        }
        self = t
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

/// A CLASS (RFC 1035 §3.2.4). Only IN matters for mail; the others are kept as numbers.
public struct DNSClass: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    public static let `in` = DNSClass(rawValue: 1)
    public static let ch = DNSClass(rawValue: 3)
    public static let any = DNSClass(rawValue: 255)
    public var description: String {
        switch rawValue {
        case 1: return "IN"
        case 3: return "CH"
        case 4: return "HS"
        case 254: return "NONE"
        case 255: return "ANY"
        default: return "CLASS\(rawValue)"
        }
    }
}

/// Response codes: the 4-bit header RCODE (RFC 1035 §4.1.1) extended to 12 bits by EDNS0
/// (RFC 6891 §6.1.3).
public struct DNSRCode: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    public static let noError = DNSRCode(rawValue: 0)
    public static let formErr = DNSRCode(rawValue: 1)
    public static let servFail = DNSRCode(rawValue: 2)
    public static let nxDomain = DNSRCode(rawValue: 3)
    public static let notImp = DNSRCode(rawValue: 4)
    public static let refused = DNSRCode(rawValue: 5)
    public static let badVers = DNSRCode(rawValue: 16)

    public var description: String {
        switch rawValue {
        case 0: return "NOERROR"
        case 1: return "FORMERR"
        case 2: return "SERVFAIL"
        case 3: return "NXDOMAIN"
        case 4: return "NOTIMP"
        case 5: return "REFUSED"
        case 6: return "YXDOMAIN"
        case 7: return "YXRRSET"
        case 8: return "NXRRSET"
        case 9: return "NOTAUTH"
        case 10: return "NOTZONE"
        case 16: return "BADVERS"
        default: return "RCODE\(rawValue)"
        }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let n = try? c.decode(UInt16.self) { self.init(rawValue: n); return }
        let s = try c.decode(String.self)
        for n in UInt16(0)...16 where DNSRCode(rawValue: n).description == s { self.init(rawValue: n); return }
        guard s.hasPrefix("RCODE"), let n = UInt16(s.dropFirst(5)) else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "unknown rcode \(s)")
        }
        self.init(rawValue: n)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

/// OPCODE (RFC 1035 §4.1.1): 0 QUERY is the only one mxray sends.
public struct DNSOpcode: RawRepresentable, Sendable, Hashable, Codable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue & 0x0F }
    public static let query = DNSOpcode(rawValue: 0)
}
