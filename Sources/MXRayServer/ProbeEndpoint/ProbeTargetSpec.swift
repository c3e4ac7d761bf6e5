import Foundation
import DNSWire

/// The `target` parameter of `/probe`, taken apart before anything is resolved or connected.
///
/// Accepted: `host`, `host:port`, `[v6]`, `[v6]:port`, a canonical dotted-quad IPv4 or an IPv6
/// literal. Every other numeric spelling is refused here, because resolvers and URL parsers read
/// `0x7f000001`, `0177.0.0.1`, `2130706433` and `127.1` as 127.0.0.1 (inet_aton(3); WHATWG URL
/// standard, "IPv4 parser"), so an allowlist that compared text would be bypassed.
public struct ProbeTargetSpec: Sendable, Equatable {
    public enum Host: Sendable, Equatable {
        case address(IPAddress)
        case name(String)
    }

    public let host: Host
    public let port: Int?

    /// Why a target string is refused before any lookup.
    public struct Refusal: Error, Sendable, Equatable, CustomStringConvertible {
        public let description: String
        init(_ d: String) { description = d }
    }

    public static func parse(_ raw: String) throws(Refusal) -> ProbeTargetSpec {
        let text = raw.trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty, text.utf8.count <= 260 else { throw Refusal("target is empty or too long") }
        guard text.unicodeScalars.allSatisfy({ $0.isASCII && $0.value > 0x20 && $0.value < 0x7F }) else {
            throw Refusal("target has characters outside printable ASCII")
        }
        if text.contains("/") || text.contains("@") || text.contains("?") || text.contains("#") {
            throw Refusal("target must be host[:port], not a URL")
        }
        var hostPart = Substring(text)
        var port: Int?
        if hostPart.hasPrefix("[") {
            guard let close = hostPart.firstIndex(of: "]") else { throw Refusal("unclosed [ in target") }
            let rest = hostPart[hostPart.index(after: close)...]
            hostPart = hostPart[hostPart.index(after: hostPart.startIndex)..<close]
            if !rest.isEmpty {
                guard rest.hasPrefix(":") else { throw Refusal("junk after ]") }
                port = try parsePort(rest.dropFirst())
            }
        } else if hostPart.filter({ $0 == ":" }).count == 1 {
            let c = hostPart.firstIndex(of: ":")!
            port = try parsePort(hostPart[hostPart.index(after: c)...])
            hostPart = hostPart[..<c]
        }
        let host = String(hostPart)
        if host.contains(":") {
            // RFC 4007 §11: a zone index ties the address to a local interface: never from outside.
            if host.contains("%") { throw Refusal("IPv6 zone indexes are refused") }
            guard let a = IPAddress(host), a.isIPv6 else { throw Refusal("not an IPv6 address: \(host)") }
            return ProbeTargetSpec(host: .address(a), port: port)
        }
        if let numeric = NumericHost.looksNumeric(host) {
            guard let value = numeric else { throw Refusal("numeric host that is no address: \(host)") }
            let canonical = IPAddress.v4(value)
            guard canonical.description == host else {
                throw Refusal("non-canonical numeric address \(host) (reads as \(canonical)); write it as a dotted quad")
            }
            return ProbeTargetSpec(host: .address(canonical), port: port)
        }
        var name = host.lowercased()
        if name.hasSuffix(".") { name.removeLast() }
        try validateName(name)
        return ProbeTargetSpec(host: .name(name), port: port)
    }

    static func parsePort(_ s: Substring) throws(Refusal) -> Int {
        guard !s.isEmpty, s.count <= 5, s.allSatisfy({ $0.isASCII && $0.isNumber }), let p = Int(s), (1...65535).contains(p) else {
            throw Refusal("bad port: \(s)")
        }
        return p
    }

    /// RFC 1123 §2.1 host names: letters, digits and hyphens, labels of 1–63, at most 253 in all.
    static func validateName(_ name: String) throws(Refusal) {
        guard !name.isEmpty, name.utf8.count <= 253 else { throw Refusal("host name is empty or too long") }
        for label in name.split(separator: ".", omittingEmptySubsequences: false) {
            guard !label.isEmpty, label.count <= 63 else { throw Refusal("empty or over-long label in \(name)") }
            guard label.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }),
                  label.first != "-", label.last != "-"
            else { throw Refusal("invalid host name: \(name)") }
        }
    }
}

/// The lenient IPv4 reading that inet_aton(3) and the WHATWG URL parser apply to host names.
enum NumericHost {
    /// nil when `host` is an ordinary name; `.some(nil)` when it is numeric-looking but no valid
    /// address (`1.2.3.4.5`, `0x1g`); `.some(value)` when it reads as an IPv4 address.
    ///
    /// WHATWG URL §3.5 "ends in a number": a host whose last label is all digits or `0x` + hex is
    /// parsed as IPv4, so `foo.0x7f` and `127.0.0.1.` are numeric too.
    static func looksNumeric(_ host: String) -> UInt32?? {
        var parts = host.split(separator: ".", omittingEmptySubsequences: false)
        if parts.count > 1, parts.last?.isEmpty == true { parts.removeLast() }
        guard let last = parts.last, isNumberPart(last) else { return nil }
        return .some(parseLenient(parts))
    }

    static func isNumberPart(_ p: Substring) -> Bool {
        if p.isEmpty { return false }
        if p.allSatisfy({ $0.isASCII && $0.isNumber }) { return true }
        let lower = p.lowercased()
        if lower.hasPrefix("0x") { return lower.dropFirst(2).allSatisfy { $0.isHexDigit && $0.isASCII } }
        return false
    }

    /// inet_aton: 1 to 4 parts; each decimal, octal (leading 0) or hex (0x); the last part fills
    /// every remaining byte (`127.1` = 127.0.0.1, `2130706433` = 127.0.0.1).
    static func parseLenient(_ parts: [Substring]) -> UInt32? {
        guard (1...4).contains(parts.count) else { return nil }
        var values: [UInt64] = []
        for p in parts {
            guard let v = number(p) else { return nil }
            values.append(v)
        }
        for v in values.dropLast() where v > 255 { return nil }
        let lastBits = UInt64(8 * (5 - parts.count))
        guard values.last! < (UInt64(1) << lastBits) else { return nil }
        var result: UInt64 = 0
        for (i, v) in values.dropLast().enumerated() { result |= v << UInt64(24 - 8 * i) }
        result |= values.last!
        return UInt32(truncatingIfNeeded: result)
    }

    static func number(_ p: Substring) -> UInt64? {
        let s = p.lowercased()
        guard !s.isEmpty, s.count <= 34 else { return nil }
        if s.hasPrefix("0x") { return s.count == 2 ? 0 : UInt64(s.dropFirst(2), radix: 16) }
        if s.count > 1 && s.hasPrefix("0") { return UInt64(s.dropFirst(), radix: 8) }
        return UInt64(s, radix: 10)
    }
}
