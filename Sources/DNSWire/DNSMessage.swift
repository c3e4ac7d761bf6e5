import MailCore

/// Header flags (RFC 1035 §4.1.1; AD and CD from RFC 4035 §3.2; Z is the bit in between).
public struct DNSHeaderFlags: OptionSet, Sendable, Hashable, Codable {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let response = DNSHeaderFlags(rawValue: 1 << 15)            // QR
    public static let authoritative = DNSHeaderFlags(rawValue: 1 << 10)       // AA
    public static let truncated = DNSHeaderFlags(rawValue: 1 << 9)            // TC
    public static let recursionDesired = DNSHeaderFlags(rawValue: 1 << 8)     // RD
    public static let recursionAvailable = DNSHeaderFlags(rawValue: 1 << 7)   // RA
    public static let z = DNSHeaderFlags(rawValue: 1 << 6)
    public static let authenticData = DNSHeaderFlags(rawValue: 1 << 5)        // AD
    public static let checkingDisabled = DNSHeaderFlags(rawValue: 1 << 4)     // CD

    /// Mask of the bits that are flags (the rest of the 16-bit word is OPCODE and RCODE).
    static let mask: UInt16 = 0b1000_0111_1111_0000

    /// `qr aa rd ra ad`, in the order dig prints them.
    public var names: [String] {
        var out: [String] = []
        if contains(.response) { out.append("qr") }
        if contains(.authoritative) { out.append("aa") }
        if contains(.truncated) { out.append("tc") }
        if contains(.recursionDesired) { out.append("rd") }
        if contains(.recursionAvailable) { out.append("ra") }
        if contains(.authenticData) { out.append("ad") }
        if contains(.checkingDisabled) { out.append("cd") }
        return out
    }

    public init(from decoder: any Decoder) throws {
        let names = try decoder.singleValueContainer().decode([String].self)
        var f = DNSHeaderFlags()
        for n in names {
            switch n {
            case "qr": f.insert(.response)
            case "aa": f.insert(.authoritative)
            case "tc": f.insert(.truncated)
            case "rd": f.insert(.recursionDesired)
            case "ra": f.insert(.recursionAvailable)
            case "ad": f.insert(.authenticData)
            case "cd": f.insert(.checkingDisabled)
            default: break
            }
        }
        self = f
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(names)
    }
}

/// RFC 1035 §4.1.2.
public struct DNSQuestion: Sendable, Hashable, Codable, CustomStringConvertible {
    public var name: DomainName
    public var type: DNSRecordType
    public var recordClass: DNSClass

    public init(name: DomainName, type: DNSRecordType, recordClass: DNSClass = .in) {
        self.name = name; self.type = type; self.recordClass = recordClass
    }

    public var description: String { "\(name.presentation) \(recordClass) \(type)" }
}

/// RFC 1035 §4.1.3. The owner name, type and class, TTL, and typed rdata.
public struct DNSResourceRecord: Sendable, Hashable {
    public var name: DomainName
    public var recordClass: DNSClass
    public var ttl: UInt32
    public var data: DNSRData

    public init(name: DomainName, ttl: UInt32, data: DNSRData, recordClass: DNSClass = .in) {
        self.name = name; self.ttl = ttl; self.data = data; self.recordClass = recordClass
    }

    public var type: DNSRecordType { data.type }
}

/// The EDNS0 OPT pseudo-record (RFC 6891 §6.1), lifted out of the additional section.
public struct DNSEDNS: Sendable, Hashable, Codable {
    public struct Option: Sendable, Hashable, Codable {
        public var code: UInt16
        public var data: [UInt8]
        public init(code: UInt16, data: [UInt8]) { self.code = code; self.data = data }
    }

    /// Requestor's UDP payload size (the OPT CLASS field); values below 512 are treated as 512 (§6.2.3).
    public var udpPayloadSize: UInt16
    /// Upper 8 bits of the 12-bit RCODE (§6.1.3).
    public var extendedRCode: UInt8
    public var version: UInt8
    /// DO bit (RFC 3225 §3): DNSSEC records wanted.
    public var dnssecOK: Bool
    /// The 15 other flag bits, kept as received.
    public var otherFlags: UInt16
    /// Options kept raw (code, data), in order.
    public var options: [Option]
    /// The OPT record's owner: must be root (§6.1.2); kept as received to show a server that breaks the rule.
    public var owner: DomainName

    public init(udpPayloadSize: UInt16 = 1232, dnssecOK: Bool = false, extendedRCode: UInt8 = 0, version: UInt8 = 0,
                otherFlags: UInt16 = 0, options: [Option] = [], owner: DomainName = .root) {
        self.udpPayloadSize = udpPayloadSize; self.dnssecOK = dnssecOK; self.extendedRCode = extendedRCode
        self.version = version; self.otherFlags = otherFlags; self.options = options; self.owner = owner
    }
}

/// A whole DNS message (RFC 1035 §4.1). Counts are not stored: they are the section sizes.
public struct DNSMessage: Sendable, Hashable {
    public var id: UInt16
    public var opcode: DNSOpcode
    public var flags: DNSHeaderFlags
    /// The full RCODE: header bits plus the EDNS extension when an OPT record is present.
    public var rcode: DNSRCode
    public var questions: [DNSQuestion]
    public var answers: [DNSResourceRecord]
    public var authority: [DNSResourceRecord]
    /// Additional records other than OPT.
    public var additional: [DNSResourceRecord]
    public var edns: DNSEDNS?

    public init(id: UInt16 = 0, opcode: DNSOpcode = .query, flags: DNSHeaderFlags = [], rcode: DNSRCode = .noError,
                questions: [DNSQuestion] = [], answers: [DNSResourceRecord] = [], authority: [DNSResourceRecord] = [],
                additional: [DNSResourceRecord] = [], edns: DNSEDNS? = nil) {
        self.id = id; self.opcode = opcode; self.flags = flags; self.rcode = rcode; self.questions = questions
        self.answers = answers; self.authority = authority; self.additional = additional; self.edns = edns
    }

    /// A query as mxray sends it: one question, RD as asked, EDNS0 with DO as asked (RFC 6891,
    /// RFC 3225), a payload size of 1232 (the DNS Flag Day 2020 value, below common path MTUs).
    public static func query(id: UInt16, question: DNSQuestion, recursionDesired: Bool = true,
                             dnssecOK: Bool = true, checkingDisabled: Bool = false,
                             udpPayloadSize: UInt16 = 1232) -> DNSMessage {
        var flags: DNSHeaderFlags = []
        if recursionDesired { flags.insert(.recursionDesired) }
        if checkingDisabled { flags.insert(.checkingDisabled) }
        // RFC 6840 §5.7: setting AD in a query asks for the AD bit in the answer even without DO.
        if !dnssecOK { flags.insert(.authenticData) }
        return DNSMessage(id: id, flags: flags, questions: [question],
                          edns: DNSEDNS(udpPayloadSize: udpPayloadSize, dnssecOK: dnssecOK))
    }
}
