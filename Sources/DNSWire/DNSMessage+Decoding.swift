import MailCore
import NIOCore

/// Why a byte sequence is not a DNS message, and where: every failure names the octet offset
/// from the start of the message, so a capture can be read at that point.
public struct DNSDecodingError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Reason: Sendable, Hashable {
        case truncated(needed: Int)
        case badLabelType(UInt8)
        case forwardPointer(target: Int)
        case pointerLoop
        case nameTooLong
        case rdataLengthMismatch(type: DNSRecordType, declared: Int, consumed: Int)
        case invalidRData(type: DNSRecordType, why: String)
        case duplicateOPT
        case optOutsideAdditional
    }

    public let offset: Int
    public let reason: Reason

    public init(offset: Int, reason: Reason) { self.offset = offset; self.reason = reason }

    public var description: String {
        let what: String
        switch reason {
        case .truncated(let n): what = "message ends early (\(n) more octets needed)"
        case .badLabelType(let b): what = "label type 0x\(String(b, radix: 16, uppercase: true)) is not a length or a pointer (RFC 1035 §4.1.4)"
        case .forwardPointer(let t): what = "compression pointer to offset \(t) does not point backwards (RFC 1035 §4.1.4)"
        case .pointerLoop: what = "compression pointers form a loop"
        case .nameTooLong: what = "name longer than 255 octets (RFC 1035 §2.3.4)"
        case .rdataLengthMismatch(let t, let d, let c): what = "\(t) rdata declares \(d) octets but its fields take \(c)"
        case .invalidRData(let t, let why): what = "invalid \(t) rdata: \(why)"
        case .duplicateOPT: what = "more than one OPT record (RFC 6891 §6.1.1)"
        case .optOutsideAdditional: what = "OPT record outside the additional section (RFC 6891 §6.1.1)"
        }
        return "malformed DNS message at offset \(offset): \(what)"
    }
}

/// Reads a message from octets. Names may be compressed anywhere (RFC 1035 §4.1.4); pointers
/// must point backwards and the expanded name must stay within 255 octets, which together bound
/// the work on hostile input.
struct DNSWireReader {
    let bytes: [UInt8]
    var offset: Int

    init(_ bytes: [UInt8]) { self.bytes = bytes; self.offset = 0 }

    func need(_ n: Int) throws(DNSDecodingError) {
        if offset + n > bytes.count { throw DNSDecodingError(offset: offset, reason: .truncated(needed: offset + n - bytes.count)) }
    }

    mutating func u8() throws(DNSDecodingError) -> UInt8 {
        try need(1)
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func u16() throws(DNSDecodingError) -> UInt16 {
        try need(2)
        defer { offset += 2 }
        return UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
    }

    mutating func u32() throws(DNSDecodingError) -> UInt32 {
        try need(4)
        defer { offset += 4 }
        return UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16 | UInt32(bytes[offset + 2]) << 8 | UInt32(bytes[offset + 3])
    }

    mutating func octets(_ n: Int) throws(DNSDecodingError) -> [UInt8] {
        try need(n)
        defer { offset += n }
        return Array(bytes[offset..<offset + n])
    }

    /// RFC 1035 §4.1.4 names with compression.
    mutating func name() throws(DNSDecodingError) -> DomainName {
        var labels: [String] = []
        var pos = offset
        var jumped = false
        var jumps = 0
        var length = 1  // the root label
        while true {
            guard pos < bytes.count else { throw DNSDecodingError(offset: pos, reason: .truncated(needed: 1)) }
            let len = bytes[pos]
            switch len & 0xC0 {
            case 0x00:
                if len == 0 {
                    if !jumped { offset = pos + 1 }
                    return DomainName(uncheckedLabels: labels)
                }
                let n = Int(len)
                guard pos + 1 + n <= bytes.count else {
                    throw DNSDecodingError(offset: pos, reason: .truncated(needed: pos + 1 + n - bytes.count))
                }
                length += n + 1
                guard length <= 255 else { throw DNSDecodingError(offset: pos, reason: .nameTooLong) }
                labels.append(DomainName.label(fromOctets: bytes[(pos + 1)..<(pos + 1 + n)]))
                pos += 1 + n
            case 0xC0:
                guard pos + 1 < bytes.count else { throw DNSDecodingError(offset: pos, reason: .truncated(needed: 1)) }
                let target = Int(len & 0x3F) << 8 | Int(bytes[pos + 1])
                // Backwards only: a pure pointer chain then strictly decreases, and a loop through
                // labels grows the name past 255 octets; the jump cap is a second fence.
                guard target < pos else { throw DNSDecodingError(offset: pos, reason: .forwardPointer(target: target)) }
                jumps += 1
                guard jumps <= 128 else { throw DNSDecodingError(offset: pos, reason: .pointerLoop) }
                if !jumped { offset = pos + 2; jumped = true }
                pos = target
            default:
                // 0x40 and 0x80: extended label types (RFC 6891 §5 deprecates them).
                throw DNSDecodingError(offset: pos, reason: .badLabelType(len))
            }
        }
    }

    mutating func characterString() throws(DNSDecodingError) -> [UInt8] {
        let n = try u8()
        return try octets(Int(n))
    }

    /// RFC 4034 §4.1.2 type bit maps.
    mutating func typeBitmap(until end: Int, type: DNSRecordType) throws(DNSDecodingError) -> [DNSRecordType] {
        var types: [DNSRecordType] = []
        var lastWindow = -1
        while offset < end {
            let start = offset
            let window = Int(try u8())
            let len = Int(try u8())
            guard window > lastWindow else {
                throw DNSDecodingError(offset: start, reason: .invalidRData(type: type, why: "type bitmap windows out of order"))
            }
            guard (1...32).contains(len) else {
                throw DNSDecodingError(offset: start, reason: .invalidRData(type: type, why: "type bitmap length \(len) not in 1…32"))
            }
            guard offset + len <= end else {
                throw DNSDecodingError(offset: start, reason: .invalidRData(type: type, why: "type bitmap runs past the rdata"))
            }
            let map = try octets(len)
            for (i, b) in map.enumerated() where b != 0 {
                for bit in 0..<8 where b & (0x80 >> bit) != 0 {
                    types.append(DNSRecordType(UInt16(window << 8 | (i * 8 + bit))))
                }
            }
            lastWindow = window
        }
        return types
    }

    mutating func header() throws(DNSDecodingError) -> (id: UInt16, word: UInt16, counts: [Int]) {
        let id = try u16()
        let word = try u16()
        var counts: [Int] = []
        for _ in 0..<4 { counts.append(Int(try u16())) }
        return (id, word, counts)
    }

    mutating func question() throws(DNSDecodingError) -> DNSQuestion {
        let n = try name()
        let t = try u16()
        let c = try u16()
        return DNSQuestion(name: n, type: DNSRecordType(t), recordClass: DNSClass(rawValue: c))
    }

    enum Record {
        case rr(DNSResourceRecord)
        case opt(DNSEDNS)
    }

    mutating func record() throws(DNSDecodingError) -> Record {
        let owner = try name()
        let type = DNSRecordType(try u16())
        let cls = try u16()
        let ttl = try u32()
        let rdlength = Int(try u16())
        let start = offset
        try need(rdlength)
        let end = start + rdlength
        if type == .opt {
            var options: [DNSEDNS.Option] = []
            while offset < end {
                let at = offset
                let code = try u16()
                let len = Int(try u16())
                guard offset + len <= end else {
                    throw DNSDecodingError(offset: at, reason: .invalidRData(type: .opt, why: "option \(code) runs past the rdata"))
                }
                options.append(.init(code: code, data: try octets(len)))
            }
            let edns = DNSEDNS(udpPayloadSize: cls, dnssecOK: ttl & 0x8000 != 0, extendedRCode: UInt8(ttl >> 24),
                               version: UInt8(ttl >> 16 & 0xFF), otherFlags: UInt16(ttl & 0x7FFF), options: options,
                               owner: owner)
            return .opt(edns)
        }
        let data = try rdata(type: type, end: end)
        guard offset == end else {
            throw DNSDecodingError(offset: start, reason: .rdataLengthMismatch(type: type, declared: rdlength, consumed: offset - start))
        }
        return .rr(DNSResourceRecord(name: owner, ttl: ttl, data: data, recordClass: DNSClass(rawValue: cls)))
    }

    /// Reads a name that must end inside the rdata (compression pointers may point anywhere before).
    mutating func rdataName(end: Int, type: DNSRecordType) throws(DNSDecodingError) -> DomainName {
        let at = offset
        let n = try name()
        if offset > end { throw DNSDecodingError(offset: at, reason: .invalidRData(type: type, why: "name runs past the rdata")) }
        return n
    }

    mutating func fixed(_ n: Int, end: Int, type: DNSRecordType) throws(DNSDecodingError) {
        if offset + n > end {
            throw DNSDecodingError(offset: offset, reason: .invalidRData(type: type, why: "needs at least \(n) more octets"))
        }
    }

    mutating func rdata(type: DNSRecordType, end: Int) throws(DNSDecodingError) -> DNSRData {
        let length = end - offset
        switch type {
        case .a:
            guard length == 4 else { throw DNSDecodingError(offset: offset, reason: .invalidRData(type: type, why: "\(length) octets, expected 4")) }
            return .a(IPAddress(v4: try octets(4)))
        case .aaaa:
            guard length == 16 else { throw DNSDecodingError(offset: offset, reason: .invalidRData(type: type, why: "\(length) octets, expected 16")) }
            return .aaaa(IPAddress(v6: try octets(16)))
        case .ns: return .ns(try rdataName(end: end, type: type))
        case .cname: return .cname(try rdataName(end: end, type: type))
        case .ptr: return .ptr(try rdataName(end: end, type: type))
        case .mx:
            try fixed(2, end: end, type: type)
            let pref = try u16()
            return .mx(MXRecord(preference: pref, exchange: try rdataName(end: end, type: type)))
        case .txt:
            var strings: [[UInt8]] = []
            while offset < end {
                let at = offset
                let n = Int(try u8())
                guard offset + n <= end else {
                    throw DNSDecodingError(offset: at, reason: .invalidRData(type: type, why: "character-string runs past the rdata"))
                }
                strings.append(try octets(n))
            }
            return .txt(TXTRecord(strings: strings))
        case .soa:
            let m = try rdataName(end: end, type: type)
            let r = try rdataName(end: end, type: type)
            try fixed(20, end: end, type: type)
            return .soa(SOARecord(mname: m, rname: r, serial: try u32(), refresh: try u32(), retry: try u32(),
                                  expire: try u32(), minimum: try u32()))
        case .srv:
            try fixed(6, end: end, type: type)
            let p = try u16(), w = try u16(), port = try u16()
            return .srv(SRVRecord(priority: p, weight: w, port: port, target: try rdataName(end: end, type: type)))
        case .tlsa:
            try fixed(3, end: end, type: type)
            let u = try u8(), s = try u8(), m = try u8()
            return .tlsa(TLSARecord(usage: u, selector: s, matchingType: m, data: try octets(end - offset)))
        case .caa:
            try fixed(2, end: end, type: type)
            let flags = try u8()
            let tagLen = Int(try u8())
            guard tagLen >= 1, offset + tagLen <= end else {
                throw DNSDecodingError(offset: offset - 1, reason: .invalidRData(type: type, why: "tag length \(tagLen) invalid"))
            }
            let tag = String(decoding: try octets(tagLen), as: UTF8.self)
            return .caa(CAARecord(flags: flags, tag: tag, value: try octets(end - offset)))
        case .dnskey:
            try fixed(4, end: end, type: type)
            let f = try u16(), p = try u8(), a = try u8()
            return .dnskey(DNSKEYRecord(flags: f, protocol: p, algorithm: a, publicKey: try octets(end - offset)))
        case .ds:
            try fixed(4, end: end, type: type)
            let t = try u16(), a = try u8(), d = try u8()
            return .ds(DSRecord(keyTag: t, algorithm: a, digestType: d, digest: try octets(end - offset)))
        case .rrsig:
            try fixed(18, end: end, type: type)
            let covered = DNSRecordType(try u16())
            let alg = try u8(), labels = try u8()
            let ottl = try u32(), exp = try u32(), inc = try u32()
            let tag = try u16()
            let signer = try rdataName(end: end, type: type)
            return .rrsig(RRSIGRecord(typeCovered: covered, algorithm: alg, labels: labels, originalTTL: ottl, expiration: exp,
                                      inception: inc, keyTag: tag, signerName: signer, signature: try octets(end - offset)))
        case .nsec:
            let next = try rdataName(end: end, type: type)
            return .nsec(NSECRecord(nextDomainName: next, types: try typeBitmap(until: end, type: type)))
        case .nsec3:
            try fixed(5, end: end, type: type)
            let alg = try u8(), flags = try u8(), iter = try u16()
            let saltLen = Int(try u8())
            try fixed(saltLen + 1, end: end, type: type)
            let salt = try octets(saltLen)
            let hashLen = Int(try u8())
            try fixed(hashLen, end: end, type: type)
            let hash = try octets(hashLen)
            return .nsec3(NSEC3Record(hashAlgorithm: alg, flags: flags, iterations: iter, salt: salt, nextHashedOwner: hash,
                                      types: try typeBitmap(until: end, type: type)))
        default:
            return .unknown(type: type, octets: try octets(length))
        }
    }
}

extension DNSMessage {
    /// Decodes one message. Any input gives a message or a `DNSDecodingError` naming the offset.
    public init(decoding bytes: [UInt8]) throws(DNSDecodingError) {
        var r = DNSWireReader(bytes)
        let (id, word, counts) = try r.header()
        var questions: [DNSQuestion] = []
        questions.reserveCapacity(min(counts[0], 4))
        for _ in 0..<counts[0] { questions.append(try r.question()) }
        var sections: [[DNSResourceRecord]] = [[], [], []]
        var edns: DNSEDNS?
        for s in 0..<3 {
            for _ in 0..<counts[s + 1] {
                let at = r.offset
                switch try r.record() {
                case .rr(let rr): sections[s].append(rr)
                case .opt(let o):
                    guard s == 2 else { throw DNSDecodingError(offset: at, reason: .optOutsideAdditional) }
                    guard edns == nil else { throw DNSDecodingError(offset: at, reason: .duplicateOPT) }
                    edns = o
                }
            }
        }
        var rcode = word & 0x000F
        if let edns { rcode |= UInt16(edns.extendedRCode) << 4 }
        self.init(id: id, opcode: DNSOpcode(rawValue: UInt8(word >> 11 & 0x0F)),
                  flags: DNSHeaderFlags(rawValue: word & DNSHeaderFlags.mask), rcode: DNSRCode(rawValue: rcode),
                  questions: questions, answers: sections[0], authority: sections[1], additional: sections[2], edns: edns)
    }

    public init(decoding buffer: ByteBuffer) throws(DNSDecodingError) {
        try self.init(decoding: Array(buffer.readableBytesView))
    }

    /// Reads just the ID and the first question, for matching an answer to its query cheaply.
    public static func peekIDAndQuestion(_ bytes: [UInt8]) -> (id: UInt16, question: DNSQuestion?)? {
        var r = DNSWireReader(bytes)
        guard let h = try? r.header() else { return nil }
        guard h.counts[0] >= 1 else { return (h.id, nil) }
        return (h.id, try? r.question())
    }
}
