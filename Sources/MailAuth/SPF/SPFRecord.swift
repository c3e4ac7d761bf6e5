import DNSWire
import MailCore

/// RFC 7208 §4.6.2: the qualifier in front of a mechanism ("+" when absent).
public enum SPFQualifier: String, Sendable, Hashable, Codable {
    case pass = "+", fail = "-", softfail = "~", neutral = "?"

    /// The result a matching mechanism with this qualifier gives (RFC 7208 §4.6.2).
    public var result: SPFResult {
        switch self {
        case .pass: return .pass
        case .fail: return .fail
        case .softfail: return .softfail
        case .neutral: return .neutral
        }
    }
}

/// RFC 7208 §5: the eight mechanisms, with their (unexpanded) arguments.
public enum SPFMechanism: Sendable, Hashable {
    case all
    case include(SPFMacroString)
    case a(SPFMacroString?, v4: Int?, v6: Int?)
    case mx(SPFMacroString?, v4: Int?, v6: Int?)
    case ptr(SPFMacroString?)
    case ip4(IPAddress, prefix: Int)
    case ip6(IPAddress, prefix: Int)
    case exists(SPFMacroString)

    public var name: String {
        switch self {
        case .all: return "all"
        case .include: return "include"
        case .a: return "a"
        case .mx: return "mx"
        case .ptr: return "ptr"
        case .ip4: return "ip4"
        case .ip6: return "ip6"
        case .exists: return "exists"
        }
    }

    /// RFC 7208 §4.6.4: the terms that cost a DNS lookup against the limit of 10.
    public var countsAsLookup: Bool {
        switch self {
        case .include, .a, .mx, .ptr, .exists: return true
        case .all, .ip4, .ip6: return false
        }
    }
}

/// One term of a record, where it starts (0-based character offset in the record text) and its text.
public struct SPFTerm: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        case mechanism(SPFQualifier, SPFMechanism)
        /// RFC 7208 §6: `redirect=`, `exp=` and unknown modifiers (kept, ignored in evaluation).
        case modifier(name: String, value: SPFMacroString)
    }
    public let kind: Kind
    public let position: Int
    public let text: String
}

/// A syntax error with the character offset where it was found (RFC 7208 §4.6: any syntax error
/// makes the whole record a permerror).
public struct SPFSyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
    public let position: Int
    public let message: String
    public init(position: Int, message: String) { self.position = position; self.message = message }
    public var description: String { "at character \(position + 1): \(message)" }
}

/// A parsed `v=spf1` record (RFC 7208 §4.6.1, §12 ABNF).
public struct SPFRecord: Sendable, Hashable {
    public let text: String
    public let terms: [SPFTerm]

    public var mechanisms: [(SPFQualifier, SPFMechanism, SPFTerm)] {
        terms.compactMap { t in if case .mechanism(let q, let m) = t.kind { (q, m, t) } else { nil } }
    }

    /// RFC 7208 §6.1.
    public var redirect: (SPFMacroString, SPFTerm)? { modifier("redirect") }
    /// RFC 7208 §6.2.
    public var exp: (SPFMacroString, SPFTerm)? { modifier("exp") }

    func modifier(_ name: String) -> (SPFMacroString, SPFTerm)? {
        for t in terms { if case .modifier(let n, let v) = t.kind, n == name { return (v, t) } }
        return nil
    }

    /// RFC 7208 §4.5: a TXT string is an SPF record when it is exactly `v=spf1` or starts with
    /// `v=spf1 ` (case-insensitive).
    public static func isSPF(_ octets: [UInt8]) -> Bool {
        let prefix = Array("v=spf1".utf8)
        guard octets.count >= 6 else { return false }
        for i in 0..<6 where lower(octets[i]) != prefix[i] { return false }
        return octets.count == 6 || octets[6] == 0x20
    }

    static func lower(_ b: UInt8) -> UInt8 { (b >= 0x41 && b <= 0x5A) ? b | 0x20 : b }

    /// Parses a record's text. Input of any bytes is handled: non-ASCII, control characters and
    /// any grammar violation are a typed error with the offset.
    public static func parse(_ text: String) throws(SPFSyntaxError) -> SPFRecord {
        let chars = Array(text.unicodeScalars)
        guard chars.count <= 65_535 else { throw SPFSyntaxError(position: 0, message: "record longer than 65535 characters") }
        guard isSPF(Array(text.utf8.prefix(7))) else {
            throw SPFSyntaxError(position: 0, message: "the record does not start with \"v=spf1\"")
        }
        var terms: [SPFTerm] = []
        var i = 6
        var seen: Set<String> = []
        while i < chars.count {
            // RFC 7208 §12: terms are separated by 1*SP; no other white space is allowed.
            guard chars[i] == " " else {
                throw SPFSyntaxError(position: i, message: "expected a space between terms, found \(describe(chars[i]))")
            }
            while i < chars.count && chars[i] == " " { i += 1 }
            guard i < chars.count else { break }
            let start = i
            while i < chars.count && chars[i] != " " { i += 1 }
            let termText = String(String.UnicodeScalarView(chars[start..<i]))
            let term = try parseTerm(termText, at: start)
            if case .modifier(let name, _) = term.kind, name == "redirect" || name == "exp" {
                // RFC 7208 §6: redirect and exp each appear at most once.
                guard seen.insert(name).inserted else {
                    throw SPFSyntaxError(position: start, message: "\"\(name)=\" appears more than once (RFC 7208 §6)")
                }
            }
            terms.append(term)
        }
        return SPFRecord(text: text, terms: terms)
    }

    static func describe(_ c: Unicode.Scalar) -> String {
        c.value < 0x20 || c.value >= 0x7F ? "U+\(String(c.value, radix: 16, uppercase: true))" : "'\(c)'"
    }

    static func parseTerm(_ text: String, at position: Int) throws(SPFSyntaxError) -> SPFTerm {
        for (k, c) in text.unicodeScalars.enumerated() where c.value < 0x21 || c.value > 0x7E {
            throw SPFSyntaxError(position: position + k, message: "character \(describe(c)) is not allowed in a record")
        }
        // RFC 7208 §12: modifier = name "=" macro-string; name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." )
        if let eq = text.firstIndex(of: "="), let nameEnd = text.firstIndex(where: { $0 == ":" || $0 == "/" || $0 == "=" }), nameEnd == eq {
            let name = String(text[..<eq]).lowercased()
            guard let f = name.first, f.isASCII, f.isLetter,
                  name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }) else {
                throw SPFSyntaxError(position: position, message: "\"\(name)\" is not a valid modifier name")
            }
            let value = String(text[text.index(after: eq)...])
            let macro = try SPFMacroString.parse(value, at: position + name.count + 1)
            if name == "redirect" || name == "exp" {
                try checkDomainSpec(macro, value, at: position + name.count + 1)
            }
            return SPFTerm(kind: .modifier(name: name, value: macro), position: position, text: text)
        }
        var body = Substring(text)
        var qualifier = SPFQualifier.pass
        if let f = body.first, let q = SPFQualifier(rawValue: String(f)) { qualifier = q; body = body.dropFirst() }
        let offset = position + (text.count - body.count)
        let nameEnd = body.firstIndex(where: { $0 == ":" || $0 == "/" }) ?? body.endIndex
        let name = body[..<nameEnd].lowercased()
        let rest = body[nameEnd...]
        let argOffset = offset + name.count + 1
        func colonArg() throws(SPFSyntaxError) -> Substring? {
            guard rest.first == ":" else { return nil }
            return rest.dropFirst()
        }
        let mech: SPFMechanism
        switch name {
        case "all":
            guard rest.isEmpty else { throw SPFSyntaxError(position: offset, message: "\"all\" takes no argument") }
            mech = .all
        case "include", "exists":
            guard let arg = try colonArg(), !arg.isEmpty else {
                throw SPFSyntaxError(position: offset, message: "\"\(name)\" needs \":domain\" (RFC 7208 §5.2, §5.7)")
            }
            let m = try SPFMacroString.parse(String(arg), at: argOffset)
            try checkDomainSpec(m, String(arg), at: argOffset)
            mech = name == "include" ? .include(m) : .exists(m)
        case "a", "mx":
            let (spec, v4, v6) = try parseDomainAndCIDR(rest, at: offset + name.count)
            mech = name == "a" ? .a(spec, v4: v4, v6: v6) : .mx(spec, v4: v4, v6: v6)
        case "ptr":
            if rest.isEmpty { mech = .ptr(nil) } else {
                guard let arg = try colonArg(), !arg.isEmpty else {
                    throw SPFSyntaxError(position: offset, message: "\"ptr\" takes only \":domain\"")
                }
                let m = try SPFMacroString.parse(String(arg), at: argOffset)
                try checkDomainSpec(m, String(arg), at: argOffset)
                mech = .ptr(m)
            }
        case "ip4", "ip6":
            guard let arg = try colonArg(), !arg.isEmpty else {
                throw SPFSyntaxError(position: offset, message: "\"\(name)\" needs \":address\" (RFC 7208 §5.6)")
            }
            var addr = arg
            var prefix = name == "ip4" ? 32 : 128
            if let slash = arg.firstIndex(of: "/") {
                addr = arg[..<slash]
                guard let p = cidr(arg[arg.index(after: slash)...], max: prefix) else {
                    throw SPFSyntaxError(position: argOffset + addr.count, message: "invalid prefix length \"\(arg[slash...])\"")
                }
                prefix = p
            }
            let isV4 = name == "ip4"
            guard let ip = IPAddress(String(addr)), ip.isIPv6 != isV4, !(isV4 && addr.contains(":")) else {
                throw SPFSyntaxError(position: argOffset, message: "\"\(addr)\" is not an IPv\(isV4 ? 4 : 6) address")
            }
            mech = isV4 ? .ip4(ip, prefix: prefix) : .ip6(ip, prefix: prefix)
        default:
            throw SPFSyntaxError(position: offset, message: "unknown mechanism \"\(name)\" (RFC 7208 §5)")
        }
        return SPFTerm(kind: .mechanism(qualifier, mech), position: position, text: text)
    }

    /// RFC 7208 §12: ip4-cidr-length = "/" ("0" / %x31-39 0*1DIGIT); no leading zeros.
    static func cidr(_ s: Substring, max: Int) -> Int? {
        guard !s.isEmpty, s.count <= 3, s.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        if s.count > 1 && s.first == "0" { return nil }
        guard let v = Int(s), v <= max else { return nil }
        return v
    }

    /// `[":" domain-spec] [dual-cidr-length]` for `a` and `mx` (RFC 7208 §5.3, §5.4).
    static func parseDomainAndCIDR(_ rest: Substring, at position: Int) throws(SPFSyntaxError) -> (SPFMacroString?, Int?, Int?) {
        // The dual-cidr-length is recognised from the right (`/N` and `//N` of digits), so a
        // domain-spec may itself hold "/" (RFC 7208 test suite "a-colon-domain").
        var spec: Substring = ""
        var cidrPart: Substring = rest
        if rest.first == ":" {
            let body = rest.dropFirst()
            var end = body.endIndex
            func trailingCIDR(_ s: Substring, double: Bool) -> Substring.Index? {
                guard let slash = s.lastIndex(of: "/") else { return nil }
                let digits = s[s.index(after: slash)...]
                guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
                if double {
                    guard slash > s.startIndex, s[s.index(before: slash)] == "/" else { return nil }
                    return s.index(before: slash)
                }
                return slash
            }
            if let d = trailingCIDR(body[..<end], double: true) { end = d }
            if let d = trailingCIDR(body[..<end], double: false), !(d > body.startIndex && body[body.index(before: d)] == "/") { end = d }
            spec = body[..<end]
            cidrPart = body[end...]
            guard !spec.isEmpty else { throw SPFSyntaxError(position: position, message: "empty domain after \":\"") }
        } else if !rest.isEmpty && rest.first != "/" {
            throw SPFSyntaxError(position: position, message: "unexpected \"\(rest)\"")
        }
        var v4: Int?, v6: Int?
        if !cidrPart.isEmpty {
            let cOffset = position + (rest.count - cidrPart.count)
            // dual-cidr-length = [ ip4-cidr-length ] [ "/" ip6-cidr-length ]
            var c = cidrPart.dropFirst()
            if !c.hasPrefix("/") {
                let end = c.firstIndex(of: "/") ?? c.endIndex
                guard let p = cidr(c[..<end], max: 32) else { throw SPFSyntaxError(position: cOffset, message: "invalid IPv4 prefix length \"\(cidrPart)\"") }
                v4 = p
                c = c[end...]
                if !c.isEmpty {
                    guard c.hasPrefix("/") else { throw SPFSyntaxError(position: cOffset, message: "invalid prefix length \"\(cidrPart)\"") }
                    c = c.dropFirst()
                }
            }
            if !c.isEmpty {
                guard c.hasPrefix("/"), let p = cidr(c.dropFirst(), max: 128) else {
                    throw SPFSyntaxError(position: cOffset, message: "invalid IPv6 prefix length \"\(cidrPart)\"")
                }
                v6 = p
            }
        }
        if spec.isEmpty { return (nil, v4, v6) }
        let m = try SPFMacroString.parse(String(spec), at: position + 1)
        try checkDomainSpec(m, String(spec), at: position + 1)
        return (m, v4, v6)
    }

    /// RFC 7208 §7.1: domain-spec = macro-string domain-end; domain-end = ( "." toplabel [ "." ] ) / macro-expand.
    static func checkDomainSpec(_ m: SPFMacroString, _ text: String, at position: Int) throws(SPFSyntaxError) {
        if case .macro = m.parts.last { return }
        var t = Substring(text)
        if t.hasSuffix(".") { t = t.dropLast() }
        guard let dot = t.lastIndex(of: ".") else {
            throw SPFSyntaxError(position: position, message: "\"\(text)\" is not a domain name with a top-level label")
        }
        let top = t[t.index(after: dot)...]
        // toplabel = ( *alphanum ALPHA *alphanum ) / ( 1*alphanum "-" *( alphanum / "-" ) alphanum )
        let alnum = top.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        let ok = !top.isEmpty && alnum && top.first != "-" && top.last != "-"
            && (top.contains(where: { $0.isLetter }) || top.contains("-"))
        guard ok else {
            throw SPFSyntaxError(position: position + text.count - top.count, message: "\"\(top)\" is not a valid top-level label")
        }
    }
}
