import MailCore

/// An IPv4 or IPv6 address as it appears in A/AAAA rdata and in resolver configuration.
/// Pure value type (no sockets): text form per RFC 5952 for IPv6.
public enum IPAddress: Sendable, Hashable, Comparable, CustomStringConvertible, Codable {
    case v4(UInt32)
    case v6([UInt8])  // exactly 16 bytes

    public init(v4 bytes: [UInt8]) {
        precondition(bytes.count == 4)
        self = .v4(UInt32(bytes[0]) << 24 | UInt32(bytes[1]) << 16 | UInt32(bytes[2]) << 8 | UInt32(bytes[3]))
    }

    public init(v6 bytes: [UInt8]) {
        precondition(bytes.count == 16)
        self = .v6(bytes)
    }

    public var bytes: [UInt8] {
        switch self {
        case .v4(let v): return [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)]
        case .v6(let b): return b
        }
    }

    public var isIPv6: Bool { if case .v6 = self { return true } else { return false } }

    /// Parses `192.0.2.1`, `2001:db8::1`, `::ffff:192.0.2.1`; nil for anything else.
    public init?(_ text: String) {
        if let v4 = IPAddress.parseV4(Substring(text)) { self = .v4(v4); return }
        if let v6 = IPAddress.parseV6(text) { self = .v6(v6); return }
        return nil
    }

    static func parseV4(_ s: Substring) -> UInt32? {
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var v: UInt32 = 0
        for p in parts {
            guard !p.isEmpty, p.count <= 3, p.allSatisfy({ $0.isASCII && $0.isNumber }), let n = UInt32(p), n <= 255 else { return nil }
            // Leading zeros are ambiguous (octal in some parsers): refuse them.
            if p.count > 1 && p.first == "0" { return nil }
            v = v << 8 | n
        }
        return v
    }

    static func parseV6(_ text: String) -> [UInt8]? {
        var s = Substring(text)
        if let pct = s.firstIndex(of: "%") { s = s[..<pct] }  // zone index is not part of the address
        guard s.contains(":") else { return nil }
        var tailV4: [UInt8] = []
        if let lastColon = s.lastIndex(of: ":"), s[s.index(after: lastColon)...].contains(".") {
            guard let v4 = parseV4(s[s.index(after: lastColon)...]) else { return nil }
            tailV4 = IPAddress.v4(v4).bytes
            s = s[...lastColon]
            if s.hasSuffix("::") == false { s = s.dropLast() }
        }
        let halves = s.components(separatedBy: "::")
        guard halves.count <= 2 else { return nil }
        func groups(_ part: String) -> [UInt16]? {
            if part.isEmpty { return [] }
            var out: [UInt16] = []
            for g in part.split(separator: ":", omittingEmptySubsequences: false) {
                guard !g.isEmpty, g.count <= 4, let n = UInt16(g, radix: 16) else { return nil }
                out.append(n)
            }
            return out
        }
        guard let head = groups(halves[0]) else { return nil }
        let tail = halves.count == 2 ? groups(halves[1]) : []
        guard let tail else { return nil }
        let v4Groups = tailV4.count / 2
        let total = head.count + tail.count + v4Groups
        var all: [UInt16]
        if halves.count == 2 {
            guard total <= 7 else { return nil }
            all = head + Array(repeating: 0, count: 8 - total) + tail
        } else {
            guard total == 8 else { return nil }
            all = head + tail
        }
        var bytes: [UInt8] = []
        for g in all { bytes.append(UInt8(g >> 8)); bytes.append(UInt8(g & 0xFF)) }
        bytes += tailV4
        return bytes.count == 16 ? bytes : nil
    }

    /// RFC 5952 §4: lower case, leading zeros dropped, the longest run of two or more zero groups
    /// (the first of equal runs) shown as `::`.
    public var description: String {
        switch self {
        case .v4(let v):
            return "\(v >> 24).\(v >> 16 & 0xFF).\(v >> 8 & 0xFF).\(v & 0xFF)"
        case .v6(let b):
            var g: [UInt16] = []
            for i in stride(from: 0, to: 16, by: 2) { g.append(UInt16(b[i]) << 8 | UInt16(b[i + 1])) }
            var bestStart = -1, bestLen = 0, i = 0
            while i < 8 {
                if g[i] == 0 {
                    var j = i
                    while j < 8 && g[j] == 0 { j += 1 }
                    if j - i > bestLen && j - i >= 2 { bestStart = i; bestLen = j - i }
                    i = j
                } else { i += 1 }
            }
            func hex(_ r: ArraySlice<UInt16>) -> String { r.map { String($0, radix: 16) }.joined(separator: ":") }
            if bestStart < 0 { return hex(g[...]) }
            return hex(g[0..<bestStart]) + "::" + hex(g[(bestStart + bestLen)...])
        }
    }

    /// The PTR owner name: `4.3.2.1.in-addr.arpa` (RFC 1035 §3.5), nibbles under `ip6.arpa`
    /// (RFC 3596 §2.5).
    public var reverseName: DomainName {
        switch self {
        case .v4:
            return DomainName(uncheckedLabels: bytes.reversed().map { String($0) } + ["in-addr", "arpa"])
        case .v6(let b):
            var labels: [String] = []
            for byte in b.reversed() {
                labels.append(String(byte & 0x0F, radix: 16))
                labels.append(String(byte >> 4, radix: 16))
            }
            return DomainName(uncheckedLabels: labels + ["ip6", "arpa"])
        }
    }

    public static func < (l: IPAddress, r: IPAddress) -> Bool {
        switch (l, r) {
        case (.v4(let a), .v4(let b)): return a < b
        case (.v4, .v6): return true
        case (.v6, .v4): return false
        case (.v6(let a), .v6(let b)): return a.lexicographicallyPrecedes(b)
        }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        let s = try c.decode(String.self)
        guard let a = IPAddress(s) else { throw DecodingError.dataCorruptedError(in: c, debugDescription: "not an IP address: \(s)") }
        self = a
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}
