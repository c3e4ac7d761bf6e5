import MailCore
import NIOCore

/// Why a message cannot be put on the wire.
public struct DNSEncodingError: Error, Sendable, Hashable, CustomStringConvertible {
    public let reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { "cannot encode DNS message: \(reason)" }
}

/// Writes a message, compressing names as RFC 1035 §4.1.4 allows: owner names, question names, and
/// names inside the rdata of the RFC 1035 types only (RFC 3597 §4 forbids it for newer types).
struct DNSWireWriter {
    var bytes: [UInt8] = []
    /// Offsets of name suffixes already written (labels, lower case) → offset.
    var suffixes: [ArraySlice<String>: Int] = [:]
    let compress: Bool

    init(compress: Bool = true, capacity: Int = 512) {
        self.compress = compress
        bytes.reserveCapacity(capacity)
    }

    mutating func u8(_ v: UInt8) { bytes.append(v) }
    mutating func u16(_ v: UInt16) { bytes.append(UInt8(v >> 8)); bytes.append(UInt8(v & 0xFF)) }
    mutating func u32(_ v: UInt32) {
        bytes.append(UInt8(v >> 24)); bytes.append(UInt8(v >> 16 & 0xFF))
        bytes.append(UInt8(v >> 8 & 0xFF)); bytes.append(UInt8(v & 0xFF))
    }

    mutating func name(_ n: DomainName, compressible: Bool) throws(DNSEncodingError) {
        guard n.wireLength <= 255 else { throw DNSEncodingError("name \(n.presentation) is longer than 255 octets") }
        let labels = n.labels[...]
        for i in labels.indices {
            let suffix = labels[i...]
            if compress && compressible, let at = suffixes[suffix] {
                u16(0xC000 | UInt16(at))
                return
            }
            if compress && bytes.count < 0x4000 { suffixes[suffix] = bytes.count }
            let octets = DomainName.labelOctets(labels[i])
            guard (1...63).contains(octets.count) else {
                throw DNSEncodingError("label of \(octets.count) octets in \(n.presentation) (1…63 allowed)")
            }
            u8(UInt8(octets.count))
            bytes += octets
        }
        u8(0)
    }

    mutating func characterString(_ s: [UInt8]) throws(DNSEncodingError) {
        guard s.count <= 255 else { throw DNSEncodingError("character-string of \(s.count) octets (255 allowed)") }
        u8(UInt8(s.count))
        bytes += s
    }

    mutating func typeBitmap(_ types: [DNSRecordType]) {
        let sorted = Set(types.map(\.rawValue)).sorted()
        var i = 0
        while i < sorted.count {
            let window = sorted[i] >> 8
            var map = [UInt8](repeating: 0, count: 32)
            var maxByte = 0
            while i < sorted.count && sorted[i] >> 8 == window {
                let low = Int(sorted[i] & 0xFF)
                map[low / 8] |= 0x80 >> (low % 8)
                maxByte = max(maxByte, low / 8)
                i += 1
            }
            u8(UInt8(window))
            u8(UInt8(maxByte + 1))
            bytes += map[0...maxByte]
        }
    }

    mutating func rdata(_ d: DNSRData) throws(DNSEncodingError) {
        switch d {
        case .a(let ip):
            guard case .v4 = ip else { throw DNSEncodingError("A record with IPv6 address \(ip)") }
            bytes += ip.bytes
        case .aaaa(let ip):
            guard case .v6 = ip else { throw DNSEncodingError("AAAA record with IPv4 address \(ip)") }
            bytes += ip.bytes
        case .ns(let n), .cname(let n), .ptr(let n): try name(n, compressible: true)
        case .mx(let mx): u16(mx.preference); try name(mx.exchange, compressible: true)
        case .txt(let t): for s in t.strings { try characterString(s) }
        case .soa(let s):
            try name(s.mname, compressible: true); try name(s.rname, compressible: true)
            u32(s.serial); u32(s.refresh); u32(s.retry); u32(s.expire); u32(s.minimum)
        case .srv(let s):
            u16(s.priority); u16(s.weight); u16(s.port); try name(s.target, compressible: false)
        case .tlsa(let t): u8(t.usage); u8(t.selector); u8(t.matchingType); bytes += t.data
        case .caa(let c):
            let tag = Array(c.tag.utf8)
            guard (1...255).contains(tag.count) else { throw DNSEncodingError("CAA tag of \(tag.count) octets") }
            u8(c.flags); u8(UInt8(tag.count)); bytes += tag; bytes += c.value
        case .dnskey(let k): u16(k.flags); u8(k.protocol); u8(k.algorithm); bytes += k.publicKey
        case .ds(let ds): u16(ds.keyTag); u8(ds.algorithm); u8(ds.digestType); bytes += ds.digest
        case .rrsig(let s):
            u16(s.typeCovered.rawValue); u8(s.algorithm); u8(s.labels); u32(s.originalTTL)
            u32(s.expiration); u32(s.inception); u16(s.keyTag); try name(s.signerName, compressible: false)
            bytes += s.signature
        case .nsec(let n): try name(n.nextDomainName, compressible: false); typeBitmap(n.types)
        case .nsec3(let n):
            guard n.salt.count <= 255, n.nextHashedOwner.count <= 255 else { throw DNSEncodingError("NSEC3 salt or hash too long") }
            u8(n.hashAlgorithm); u8(n.flags); u16(n.iterations)
            u8(UInt8(n.salt.count)); bytes += n.salt
            u8(UInt8(n.nextHashedOwner.count)); bytes += n.nextHashedOwner
            typeBitmap(n.types)
        case .unknown(_, let o): bytes += o
        }
    }

    mutating func record(_ rr: DNSResourceRecord) throws(DNSEncodingError) {
        try name(rr.name, compressible: true)
        u16(rr.type.rawValue); u16(rr.recordClass.rawValue); u32(rr.ttl)
        let lengthAt = bytes.count
        u16(0)
        try rdata(rr.data)
        let len = bytes.count - lengthAt - 2
        guard len <= 0xFFFF else { throw DNSEncodingError("rdata of \(len) octets") }
        bytes[lengthAt] = UInt8(len >> 8); bytes[lengthAt + 1] = UInt8(len & 0xFF)
    }

    mutating func opt(_ e: DNSEDNS) throws(DNSEncodingError) {
        try name(e.owner, compressible: false)  // root (RFC 6891 §6.1.2) unless a peer sent otherwise
        u16(DNSRecordType.opt.rawValue)
        u16(e.udpPayloadSize)
        u32(UInt32(e.extendedRCode) << 24 | UInt32(e.version) << 16 | (e.dnssecOK ? 0x8000 : 0) | UInt32(e.otherFlags & 0x7FFF))
        var len = 0
        for o in e.options { len += 4 + o.data.count }
        guard len <= 0xFFFF, e.options.allSatisfy({ $0.data.count <= 0xFFFF }) else { throw DNSEncodingError("OPT rdata too long") }
        u16(UInt16(len))
        for o in e.options { u16(o.code); u16(UInt16(o.data.count)); bytes += o.data }
    }
}

extension DNSMessage {
    /// The message in wire form, names compressed.
    public func encoded(compress: Bool = true) throws(DNSEncodingError) -> [UInt8] {
        var w = DNSWireWriter(compress: compress)
        let counts = [questions.count, answers.count, authority.count, additional.count + (edns == nil ? 0 : 1)]
        guard counts.allSatisfy({ $0 <= 0xFFFF }) else { throw DNSEncodingError("a section holds more than 65535 entries") }
        guard edns != nil || rcode.rawValue <= 0x0F else { throw DNSEncodingError("RCODE \(rcode.rawValue) needs EDNS (RFC 6891 §6.1.3)") }
        guard rcode.rawValue <= 0x0FFF else { throw DNSEncodingError("RCODE \(rcode.rawValue) exceeds 12 bits") }
        w.u16(id)
        w.u16(UInt16(opcode.rawValue) << 11 | (flags.rawValue & DNSHeaderFlags.mask) | (rcode.rawValue & 0x0F))
        for c in counts { w.u16(UInt16(c)) }
        for q in questions {
            try w.name(q.name, compressible: true)
            w.u16(q.type.rawValue); w.u16(q.recordClass.rawValue)
        }
        for rr in answers { try w.record(rr) }
        for rr in authority { try w.record(rr) }
        for rr in additional { try w.record(rr) }
        if var e = edns {
            e.extendedRCode = UInt8(rcode.rawValue >> 4)
            try w.opt(e)
        }
        return w.bytes
    }

    public func encoded(into buffer: inout ByteBuffer) throws(DNSEncodingError) {
        buffer.writeBytes(try encoded())
    }
}

extension DNSRData {
    /// The rdata alone, uncompressed (as RFC 3597 and JSON reports carry it).
    public func wireOctets() throws(DNSEncodingError) -> [UInt8] {
        var w = DNSWireWriter(compress: false)
        try w.rdata(self)
        return w.bytes
    }

    /// Parses rdata of `type` from its uncompressed octets.
    public init(type: DNSRecordType, wire: [UInt8]) throws(DNSDecodingError) {
        var r = DNSWireReader(wire)
        let d = try r.rdata(type: type, end: wire.count)
        guard r.offset == wire.count else {
            throw DNSDecodingError(offset: 0, reason: .rdataLengthMismatch(type: type, declared: wire.count, consumed: r.offset))
        }
        self = d
    }
}
