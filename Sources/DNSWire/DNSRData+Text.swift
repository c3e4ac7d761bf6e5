import MailCore

/// Presentation forms (RFC 1035 §5.1 and each type's RFC), as dig/kdig print them, so reports can
/// be compared with those tools line by line.
extension DNSRData: CustomStringConvertible {
    public var description: String {
        switch self {
        case .a(let ip), .aaaa(let ip): return ip.description
        case .ns(let n), .cname(let n), .ptr(let n): return n.presentation
        case .mx(let mx): return "\(mx.preference) \(mx.exchange.presentation)"
        case .txt(let t): return t.strings.map(DNSRData.quoted).joined(separator: " ")
        case .soa(let s):
            return "\(s.mname.presentation) \(s.rname.presentation) \(s.serial) \(s.refresh) \(s.retry) \(s.expire) \(s.minimum)"
        case .srv(let s): return "\(s.priority) \(s.weight) \(s.port) \(s.target.presentation)"
        case .tlsa(let t): return "\(t.usage) \(t.selector) \(t.matchingType) \(DNSRData.hex(t.data))"
        case .caa(let c): return "\(c.flags) \(c.tag) \(DNSRData.quoted(c.value))"
        case .dnskey(let k): return "\(k.flags) \(k.protocol) \(k.algorithm) \(DNSRData.base64(k.publicKey))"
        case .ds(let d): return "\(d.keyTag) \(d.algorithm) \(d.digestType) \(DNSRData.hex(d.digest))"
        case .rrsig(let s):
            return "\(s.typeCovered) \(s.algorithm) \(s.labels) \(s.originalTTL) \(DNSRData.timestamp(s.expiration)) "
                + "\(DNSRData.timestamp(s.inception)) \(s.keyTag) \(s.signerName.presentation) \(DNSRData.base64(s.signature))"
        case .nsec(let n): return ([n.nextDomainName.presentation] + n.types.map(\.description)).joined(separator: " ")
        case .nsec3(let n):
            let salt = n.salt.isEmpty ? "-" : DNSRData.hex(n.salt)
            return ([String(n.hashAlgorithm), String(n.flags), String(n.iterations), salt, DNSRData.base32hex(n.nextHashedOwner)]
                    + n.types.map(\.description)).joined(separator: " ")
        case .unknown(_, let o):
            // RFC 3597 §5.
            return o.isEmpty ? "\\# 0" : "\\# \(o.count) \(DNSRData.hex(o))"
        }
    }

    /// A character-string in double quotes, `"` and `\` escaped, non-printable octets as `\DDD`.
    public static func quoted(_ s: [UInt8]) -> String {
        var out = "\""
        for o in s {
            switch o {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): out += "\\" + String(UnicodeScalar(o))
            case 0x20...0x7E: out.unicodeScalars.append(UnicodeScalar(o))
            default: out += "\\" + String(repeating: "0", count: o < 10 ? 2 : (o < 100 ? 1 : 0)) + String(o)
            }
        }
        return out + "\""
    }

    static let hexDigits = Array("0123456789ABCDEF".utf8)

    public static func hex(_ b: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(b.count * 2)
        for x in b { out.append(hexDigits[Int(x >> 4)]); out.append(hexDigits[Int(x & 0xF)]) }
        return String(decoding: out, as: UTF8.self)
    }

    static func unhex(_ s: String) -> [UInt8]? {
        var out: [UInt8] = []
        var hi: UInt8?
        for c in s.utf8 {
            let v: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): v = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): v = c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): v = c - UInt8(ascii: "A") + 10
            default: return nil
            }
            if let h = hi { out.append(h << 4 | v); hi = nil } else { hi = v }
        }
        return hi == nil ? out : nil
    }

    static let b64 = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    public static func base64(_ b: [UInt8]) -> String {
        var out: [UInt8] = []
        var i = 0
        while i < b.count {
            let n = min(3, b.count - i)
            let chunk = UInt32(b[i]) << 16 | (n > 1 ? UInt32(b[i + 1]) << 8 : 0) | (n > 2 ? UInt32(b[i + 2]) : 0)
            out.append(b64[Int(chunk >> 18 & 63)]); out.append(b64[Int(chunk >> 12 & 63)])
            out.append(n > 1 ? b64[Int(chunk >> 6 & 63)] : UInt8(ascii: "="))
            out.append(n > 2 ? b64[Int(chunk & 63)] : UInt8(ascii: "="))
            i += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// RFC 4648 §7 base32hex without padding, lower case (RFC 5155 §3.3).
    static func base32hex(_ b: [UInt8]) -> String {
        let alphabet = Array("0123456789abcdefghijklmnopqrstuv".utf8)
        var out: [UInt8] = []
        var buffer: UInt32 = 0, bits = 0
        for x in b {
            buffer = buffer << 8 | UInt32(x); bits += 8
            while bits >= 5 { out.append(alphabet[Int(buffer >> UInt32(bits - 5) & 31)]); bits -= 5 }
        }
        if bits > 0 { out.append(alphabet[Int(buffer << UInt32(5 - bits) & 31)]) }
        return String(decoding: out, as: UTF8.self)
    }

    /// RFC 4034 §3.2: YYYYMMDDHHmmSS in UTC.
    static func timestamp(_ t: UInt32) -> String {
        var days = Int(t / 86400)
        let secs = Int(t % 86400)
        var year = 1970
        func leap(_ y: Int) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }
        while days >= (leap(year) ? 366 : 365) { days -= leap(year) ? 366 : 365; year += 1 }
        let months = [31, leap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        var month = 0
        while days >= months[month] { days -= months[month]; month += 1 }
        func p(_ n: Int, _ w: Int = 2) -> String { let s = String(n); return String(repeating: "0", count: max(0, w - s.count)) + s }
        return p(year, 4) + p(month + 1) + p(days + 1) + p(secs / 3600) + p(secs / 60 % 60) + p(secs % 60)
    }
}

extension DNSResourceRecord: CustomStringConvertible, Codable {
    /// `mx.example. 300 IN MX 10 mx1.example.`
    public var description: String { "\(name.presentation) \(ttl) \(recordClass) \(type) \(data)" }

    enum CodingKeys: String, CodingKey { case name, type, ttl, `class`, data, rdata }

    /// JSON form: presentation text for people (`data`) and the uncompressed rdata in hex
    /// (`rdata`) from which the record decodes exactly.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name.presentation, forKey: .name)
        try c.encode(type, forKey: .type)
        try c.encode(ttl, forKey: .ttl)
        if recordClass != .in { try c.encode(recordClass.rawValue, forKey: .class) }
        try c.encode(data.description, forKey: .data)
        try c.encode(DNSRData.hex(try data.wireOctets()), forKey: .rdata)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let type = try c.decode(DNSRecordType.self, forKey: .type)
        let hex = try c.decode(String.self, forKey: .rdata)
        guard let wire = DNSRData.unhex(hex) else {
            throw DecodingError.dataCorruptedError(forKey: .rdata, in: c, debugDescription: "rdata is not hex")
        }
        self.name = try c.decode(DomainName.self, forKey: .name)
        self.ttl = try c.decode(UInt32.self, forKey: .ttl)
        self.recordClass = DNSClass(rawValue: try c.decodeIfPresent(UInt16.self, forKey: .class) ?? 1)
        do { self.data = try DNSRData(type: type, wire: wire) } catch {
            throw DecodingError.dataCorruptedError(forKey: .rdata, in: c, debugDescription: error.description)
        }
    }
}

extension DNSMessage: CustomStringConvertible {
    /// A dig-like dump, for debugging and fixtures.
    public var description: String {
        var lines = [";; ->>HEADER<<- opcode: \(opcode.rawValue == 0 ? "QUERY" : String(opcode.rawValue)), status: \(rcode), id: \(id)",
                     ";; flags: \(flags.names.joined(separator: " ")); QUERY: \(questions.count), ANSWER: \(answers.count), AUTHORITY: \(authority.count), ADDITIONAL: \(additional.count + (edns == nil ? 0 : 1))"]
        if let e = edns { lines.append(";; EDNS: version: \(e.version), flags:\(e.dnssecOK ? " do" : ""); udp: \(e.udpPayloadSize)") }
        lines.append(";; QUESTION SECTION:")
        lines += questions.map { ";\($0)" }
        for (title, rrs) in [("ANSWER", answers), ("AUTHORITY", authority), ("ADDITIONAL", additional)] where !rrs.isEmpty {
            lines.append(";; \(title) SECTION:")
            lines += rrs.map(\.description)
        }
        return lines.joined(separator: "\n")
    }
}
