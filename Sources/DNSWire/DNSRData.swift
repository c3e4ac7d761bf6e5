import MailCore

/// Typed RDATA. Types mail diagnosis reads are parsed into fields; every other type is kept as
/// raw octets (`unknown`) and is never an error (RFC 3597 §2).
public enum DNSRData: Sendable, Hashable {
    case a(IPAddress)
    case aaaa(IPAddress)
    case ns(DomainName)
    case cname(DomainName)
    case ptr(DomainName)
    case mx(MXRecord)
    case txt(TXTRecord)
    case soa(SOARecord)
    case srv(SRVRecord)
    case tlsa(TLSARecord)
    case caa(CAARecord)
    case dnskey(DNSKEYRecord)
    case ds(DSRecord)
    case rrsig(RRSIGRecord)
    case nsec(NSECRecord)
    case nsec3(NSEC3Record)
    /// Any other type, or a known type whose rdata did not parse in a record we still keep.
    case unknown(type: DNSRecordType, octets: [UInt8])

    public var type: DNSRecordType {
        switch self {
        case .a: return .a
        case .aaaa: return .aaaa
        case .ns: return .ns
        case .cname: return .cname
        case .ptr: return .ptr
        case .mx: return .mx
        case .txt: return .txt
        case .soa: return .soa
        case .srv: return .srv
        case .tlsa: return .tlsa
        case .caa: return .caa
        case .dnskey: return .dnskey
        case .ds: return .ds
        case .rrsig: return .rrsig
        case .nsec: return .nsec
        case .nsec3: return .nsec3
        case .unknown(let t, _): return t
        }
    }
}

/// RFC 1035 §3.3.9.
public struct MXRecord: Sendable, Hashable, Codable {
    public var preference: UInt16
    public var exchange: DomainName
    public init(preference: UInt16, exchange: DomainName) { self.preference = preference; self.exchange = exchange }
    /// RFC 7505 §3: a single MX with preference 0 and exchange "." says the domain takes no mail.
    public var isNullMX: Bool { exchange.labels.isEmpty }
}

/// RFC 1035 §3.3.14: one or more character-strings, each kept exactly as received (octets, not
/// text: SPF test data carries invalid UTF-8 on purpose).
public struct TXTRecord: Sendable, Hashable, Codable {
    public var strings: [[UInt8]]
    public init(strings: [[UInt8]]) { self.strings = strings }
    public init(_ texts: [String]) { self.strings = texts.map { Array($0.utf8) } }
    /// The strings concatenated with nothing in between, as RFC 7208 §3.3 and RFC 7489 §6.6.3 read
    /// them (replacement characters for invalid UTF-8).
    public var joined: String { String(decoding: strings.joined(), as: UTF8.self) }
    public var joinedOctets: [UInt8] { Array(strings.joined()) }
    public var texts: [String] { strings.map { String(decoding: $0, as: UTF8.self) } }
}

/// RFC 1035 §3.3.13.
public struct SOARecord: Sendable, Hashable, Codable {
    public var mname: DomainName
    public var rname: DomainName
    public var serial: UInt32
    public var refresh: UInt32
    public var retry: UInt32
    public var expire: UInt32
    /// RFC 2308 §4: also the TTL of negative answers.
    public var minimum: UInt32
    public init(mname: DomainName, rname: DomainName, serial: UInt32, refresh: UInt32, retry: UInt32, expire: UInt32, minimum: UInt32) {
        self.mname = mname; self.rname = rname; self.serial = serial; self.refresh = refresh
        self.retry = retry; self.expire = expire; self.minimum = minimum
    }
}

/// RFC 2782.
public struct SRVRecord: Sendable, Hashable, Codable {
    public var priority: UInt16
    public var weight: UInt16
    public var port: UInt16
    public var target: DomainName
    public init(priority: UInt16, weight: UInt16, port: UInt16, target: DomainName) {
        self.priority = priority; self.weight = weight; self.port = port; self.target = target
    }
}

/// RFC 6698 §2.1: usage, selector, matching type, association data.
public struct TLSARecord: Sendable, Hashable, Codable {
    public var usage: UInt8
    public var selector: UInt8
    public var matchingType: UInt8
    public var data: [UInt8]
    public init(usage: UInt8, selector: UInt8, matchingType: UInt8, data: [UInt8]) {
        self.usage = usage; self.selector = selector; self.matchingType = matchingType; self.data = data
    }
}

/// RFC 8659 §4.1.
public struct CAARecord: Sendable, Hashable, Codable {
    public var flags: UInt8
    public var tag: String
    public var value: [UInt8]
    public init(flags: UInt8, tag: String, value: [UInt8]) { self.flags = flags; self.tag = tag; self.value = value }
    public var isCritical: Bool { flags & 0x80 != 0 }
}

/// RFC 4034 §2.1.
public struct DNSKEYRecord: Sendable, Hashable, Codable {
    public var flags: UInt16
    public var `protocol`: UInt8
    public var algorithm: UInt8
    public var publicKey: [UInt8]
    public init(flags: UInt16, protocol: UInt8, algorithm: UInt8, publicKey: [UInt8]) {
        self.flags = flags; self.protocol = `protocol`; self.algorithm = algorithm; self.publicKey = publicKey
    }
    /// Bit 7 (256): zone key; bit 15 (1): secure entry point (KSK by convention).
    public var isZoneKey: Bool { flags & 0x0100 != 0 }
    public var isSecureEntryPoint: Bool { flags & 0x0001 != 0 }

    /// RFC 4034 Appendix B: the key tag over the rdata.
    public var keyTag: UInt16 {
        var rdata: [UInt8] = [UInt8(flags >> 8), UInt8(flags & 0xFF), `protocol`, algorithm]
        rdata += publicKey
        var ac: UInt32 = 0
        for (i, b) in rdata.enumerated() { ac += (i & 1) == 1 ? UInt32(b) : UInt32(b) << 8 }
        ac += (ac >> 16) & 0xFFFF
        return UInt16(ac & 0xFFFF)
    }
}

/// RFC 4034 §5.1.
public struct DSRecord: Sendable, Hashable, Codable {
    public var keyTag: UInt16
    public var algorithm: UInt8
    public var digestType: UInt8
    public var digest: [UInt8]
    public init(keyTag: UInt16, algorithm: UInt8, digestType: UInt8, digest: [UInt8]) {
        self.keyTag = keyTag; self.algorithm = algorithm; self.digestType = digestType; self.digest = digest
    }
}

/// RFC 4034 §3.1.
public struct RRSIGRecord: Sendable, Hashable, Codable {
    public var typeCovered: DNSRecordType
    public var algorithm: UInt8
    public var labels: UInt8
    public var originalTTL: UInt32
    public var expiration: UInt32
    public var inception: UInt32
    public var keyTag: UInt16
    public var signerName: DomainName
    public var signature: [UInt8]
    public init(typeCovered: DNSRecordType, algorithm: UInt8, labels: UInt8, originalTTL: UInt32, expiration: UInt32,
                inception: UInt32, keyTag: UInt16, signerName: DomainName, signature: [UInt8]) {
        self.typeCovered = typeCovered; self.algorithm = algorithm; self.labels = labels; self.originalTTL = originalTTL
        self.expiration = expiration; self.inception = inception; self.keyTag = keyTag; self.signerName = signerName
        self.signature = signature
    }
}

/// RFC 4034 §4.1.
public struct NSECRecord: Sendable, Hashable, Codable {
    public var nextDomainName: DomainName
    public var types: [DNSRecordType]
    public init(nextDomainName: DomainName, types: [DNSRecordType]) { self.nextDomainName = nextDomainName; self.types = types }
}

/// RFC 5155 §3.1.
public struct NSEC3Record: Sendable, Hashable, Codable {
    public var hashAlgorithm: UInt8
    public var flags: UInt8
    public var iterations: UInt16
    public var salt: [UInt8]
    public var nextHashedOwner: [UInt8]
    public var types: [DNSRecordType]
    public init(hashAlgorithm: UInt8, flags: UInt8, iterations: UInt16, salt: [UInt8], nextHashedOwner: [UInt8], types: [DNSRecordType]) {
        self.hashAlgorithm = hashAlgorithm; self.flags = flags; self.iterations = iterations; self.salt = salt
        self.nextHashedOwner = nextHashedOwner; self.types = types
    }
    public var optOut: Bool { flags & 1 != 0 }
}
