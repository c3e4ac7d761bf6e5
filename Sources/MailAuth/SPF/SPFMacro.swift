import DNSWire
import MailCore

/// RFC 7208 §7.1: a macro-string, parsed once and expanded per evaluation.
public struct SPFMacroString: Sendable, Hashable, CustomStringConvertible {
    public enum Part: Sendable, Hashable {
        case literal(String)
        /// `%{` letter [digits] ["r"] *delimiter `}`; an upper-case letter asks for URL escaping.
        case macro(letter: Character, digits: Int?, reverse: Bool, delimiters: [Character], urlEscape: Bool)
    }
    public let parts: [Part]
    public let text: String

    public var description: String { text }
    public var hasMacros: Bool { parts.contains { if case .macro = $0 { true } else { false } } }

    static let letters: Set<Character> = ["s", "l", "o", "d", "i", "p", "h", "c", "r", "t", "v"]
    /// RFC 7208 §7.2: c, r and t are allowed only in `exp` text.
    static let expOnly: Set<Character> = ["c", "r", "t"]
    static let delimiterSet: Set<Character> = [".", "-", "+", ",", "/", "_", "="]

    /// Parses `text`; `position` is its offset in the record (for error positions).
    /// `explanation`: parsing the TXT at the `exp=` target, where c/r/t and spaces are allowed.
    public static func parse(_ text: String, at position: Int = 0, explanation: Bool = false) throws(SPFSyntaxError) -> SPFMacroString {
        var parts: [Part] = []
        var literal = ""
        let chars = Array(text)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c == "%" {
                guard i + 1 < chars.count else {
                    throw SPFSyntaxError(position: position + i, message: "\"%\" at the end of a macro-string (RFC 7208 §7.1)")
                }
                let n = chars[i + 1]
                switch n {
                case "%": literal.append("%"); i += 2; continue
                case "_": literal.append(" "); i += 2; continue
                case "-": literal.append("%20"); i += 2; continue
                case "{": break
                default:
                    throw SPFSyntaxError(position: position + i, message: "\"%\(n)\" is not a macro (use %%, %_, %- or %{…}; RFC 7208 §7.1)")
                }
                guard let close = chars[(i + 2)...].firstIndex(of: "}") else {
                    throw SPFSyntaxError(position: position + i, message: "unterminated macro \"%{\"")
                }
                let body = chars[(i + 2)..<close]
                guard let letterRaw = body.first else {
                    throw SPFSyntaxError(position: position + i, message: "empty macro \"%{}\"")
                }
                let letter = Character(letterRaw.lowercased())
                guard letters.contains(letter), letterRaw.isASCII else {
                    throw SPFSyntaxError(position: position + i + 2, message: "unknown macro letter \"\(letterRaw)\" (RFC 7208 §7.2)")
                }
                if !explanation && expOnly.contains(letter) {
                    throw SPFSyntaxError(position: position + i + 2, message: "macro \"%{\(letterRaw)}\" is allowed only in explanations (RFC 7208 §7.2)")
                }
                var j = body.index(after: body.startIndex)
                var digitText = ""
                while j < body.endIndex, body[j].isASCII, body[j].isNumber { digitText.append(body[j]); j += 1 }
                var digits: Int?
                if !digitText.isEmpty {
                    // RFC 7208 §7.1: transformers = *DIGIT ["r"]; zero parts is meaningless.
                    guard digitText.count <= 3, let d = Int(digitText), d > 0 else {
                        throw SPFSyntaxError(position: position + i + 3, message: "invalid macro digit transformer \"\(digitText)\"")
                    }
                    digits = d
                }
                var reverse = false
                if j < body.endIndex, body[j] == "r" || body[j] == "R" { reverse = true; j += 1 }
                var delims: [Character] = []
                while j < body.endIndex {
                    guard delimiterSet.contains(body[j]) else {
                        throw SPFSyntaxError(position: position + j, message: "\"\(body[j])\" is not a macro delimiter (RFC 7208 §7.1)")
                    }
                    delims.append(body[j]); j += 1
                }
                if !literal.isEmpty { parts.append(.literal(literal)); literal = "" }
                parts.append(.macro(letter: letter, digits: digits, reverse: reverse, delimiters: delims,
                                    urlEscape: letterRaw.isUppercase))
                i = close + 1
                continue
            }
            // RFC 7208 §7.1: macro-literal = %x21-24 / %x26-7E (explanations also allow SP).
            guard c.isASCII, let a = c.asciiValue, (a >= 0x21 && a <= 0x7E) || (explanation && a == 0x20) else {
                throw SPFSyntaxError(position: position + i, message: "character \(SPFRecord.describe(c.unicodeScalars.first!)) is not allowed in a macro-string")
            }
            literal.append(c)
            i += 1
        }
        if !literal.isEmpty { parts.append(.literal(literal)) }
        return SPFMacroString(parts: parts, text: text)
    }
}

/// The values macros expand to (RFC 7208 §7.2).
public struct SPFMacroContext: Sendable {
    public var sender: String
    public var localPart: String
    public var senderDomain: String
    public var domain: String
    public var ip: IPAddress
    public var helo: String
    public var receiver: String
    public var timestamp: Int
    /// `%{p}`: filled lazily by the evaluator (validated reverse name, or "unknown").
    public var validatedName: String?

    public init(sender: String, localPart: String, senderDomain: String, domain: String, ip: IPAddress,
                helo: String, receiver: String = "unknown", timestamp: Int = 0, validatedName: String? = nil) {
        self.sender = sender; self.localPart = localPart; self.senderDomain = senderDomain; self.domain = domain
        self.ip = ip; self.helo = helo; self.receiver = receiver; self.timestamp = timestamp; self.validatedName = validatedName
    }

    /// RFC 7208 §7.3: `i` is dotted decimal for IPv4 and dot-separated nibbles for IPv6.
    var iValue: String {
        switch ip {
        case .v4: return ip.description
        case .v6(let b):
            var out: [String] = []
            for byte in b { out.append(String(byte >> 4, radix: 16)); out.append(String(byte & 0xF, radix: 16)) }
            return out.joined(separator: ".")
        }
    }

    func value(_ letter: Character) -> String {
        switch letter {
        case "s": return sender
        case "l": return localPart
        case "o": return senderDomain
        case "d": return domain
        case "i": return iValue
        case "p": return validatedName ?? "unknown"
        case "v": return ip.isIPv6 ? "ip6" : "in-addr"
        case "h": return helo
        case "c": return ip.description
        case "r": return receiver
        case "t": return String(timestamp)
        default: return ""
        }
    }
}

extension SPFMacroString {
    /// Expands every macro (RFC 7208 §7.3): split on the delimiters, reverse, keep the right-most
    /// `digits` parts, join with ".", URL-escape for upper-case letters.
    public func expand(_ ctx: SPFMacroContext) -> String {
        var out = ""
        for p in parts {
            switch p {
            case .literal(let s): out += s
            case .macro(let letter, let digits, let reverse, let delimiters, let escape):
                let raw = ctx.value(letter)
                let delims = delimiters.isEmpty ? ["."] : Set(delimiters)
                var pieces = raw.split(omittingEmptySubsequences: false, whereSeparator: { delims.contains($0) }).map(String.init)
                if reverse { pieces.reverse() }
                if let digits, digits < pieces.count { pieces = Array(pieces.suffix(digits)) }
                let joined = pieces.joined(separator: ".")
                out += escape ? Self.urlEscape(joined) : joined
            }
        }
        return out
    }

    /// RFC 7208 §7.3: upper-case macros escape characters outside the URI "unreserved" set (RFC 3986 §2.3).
    static func urlEscape(_ s: String) -> String {
        var out = ""
        for b in s.utf8 {
            let c = Character(Unicode.Scalar(b))
            if c.isASCII && (c.isLetter || c.isNumber || "-._~".contains(c)) { out.append(c) } else {
                out += "%" + String(b, radix: 16, uppercase: true).leftPadded(2)
            }
        }
        return out
    }
}

extension String {
    func leftPadded(_ n: Int) -> String { count >= n ? self : String(repeating: "0", count: n - count) + self }
}
