import Foundation

/// A small, bounded XML reader for the two client-configuration documents mail clients fetch
/// (Mozilla autoconfig `clientConfig`, Microsoft Autodiscover POX). It keeps elements, their
/// attributes and text; it refuses DTDs (so no entity expansion, no external entities: the
/// documents come from the network) and stops with a typed error past its limits.
/// XML 1.0 §2.8 allows a DOCTYPE; neither format uses one, so refusing it loses nothing.
public struct XMLElement: Sendable, Hashable {
    /// Local name (any `prefix:` dropped: Autodiscover uses a default namespace, never prefixes
    /// that matter here).
    public var name: String
    public var attributes: [String: String]
    public var children: [XMLElement]
    /// Character data directly inside this element, trimmed.
    public var text: String

    /// The first child with this local name (case-insensitive: Autodiscover servers differ).
    public func child(_ name: String) -> XMLElement? {
        children.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }
    }

    public func all(_ name: String) -> [XMLElement] {
        children.filter { $0.name.caseInsensitiveCompare(name) == .orderedSame }
    }

    /// Text of the first child with this name, nil when absent or empty.
    public func value(_ name: String) -> String? {
        guard let t = child(name)?.text, !t.isEmpty else { return nil }
        return t
    }

    /// Every descendant (depth first) with this local name.
    public func descendants(_ name: String) -> [XMLElement] {
        var out: [XMLElement] = []
        for c in children {
            if c.name.caseInsensitiveCompare(name) == .orderedSame { out.append(c) }
            out += c.descendants(name)
        }
        return out
    }
}

public enum XMLReadError: Error, Sendable, Hashable, CustomStringConvertible {
    case tooLarge(Int)
    case tooDeep
    case tooManyElements
    case doctypeRefused
    case malformed(String, offset: Int)
    case empty

    public var description: String {
        switch self {
        case .tooLarge(let n): return "the document is larger than \(n) bytes"
        case .tooDeep: return "elements nest too deeply"
        case .tooManyElements: return "too many elements"
        case .doctypeRefused: return "the document has a DOCTYPE (refused: no DTDs or entities)"
        case .malformed(let why, let offset): return "malformed XML at byte \(offset): \(why)"
        case .empty: return "no root element"
        }
    }
}

public enum MiniXML {
    public static let maxBytes = 256 * 1024
    public static let maxDepth = 32
    public static let maxElements = 4096

    public static func parse(_ bytes: [UInt8]) throws(XMLReadError) -> XMLElement {
        guard bytes.count <= maxBytes else { throw .tooLarge(maxBytes) }
        var p = Parser(b: bytes)
        return try p.document()
    }

    struct Parser {
        let b: [UInt8]
        var i = 0
        var count = 0

        init(b: [UInt8]) {
            self.b = b
            // A UTF-8 byte-order mark.
            if b.starts(with: [0xEF, 0xBB, 0xBF]) { i = 3 }
        }

        func fail(_ why: String) -> XMLReadError { .malformed(why, offset: i) }

        func starts(_ s: StaticString) -> Bool {
            let n = s.utf8CodeUnitCount
            guard i + n <= b.count else { return false }
            return s.withUTF8Buffer { u in
                for k in 0..<n where b[i + k] != u[k] { return false }
                return true
            }
        }

        static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D }

        mutating func skip(until s: StaticString) throws(XMLReadError) {
            while i < b.count, !starts(s) { i += 1 }
            guard i < b.count else { throw fail("unterminated \(s)") }
            i += s.utf8CodeUnitCount
        }

        mutating func skipSpace() { while i < b.count, Self.isSpace(b[i]) { i += 1 } }

        /// Prolog: XML declaration, comments, processing instructions; DOCTYPE is refused.
        mutating func document() throws(XMLReadError) -> XMLElement {
            while true {
                skipSpace()
                if i >= b.count { throw .empty }
                if starts("<?") { try skip(until: "?>"); continue }
                if starts("<!--") { try skip(until: "-->"); continue }
                if starts("<!") { throw .doctypeRefused }
                if b[i] == UInt8(ascii: "<") { return try element(depth: 0) }
                throw fail("text before the root element")
            }
        }

        mutating func name() throws(XMLReadError) -> String {
            let start = i
            while i < b.count, !Self.isSpace(b[i]), b[i] != 0x2F, b[i] != 0x3E, b[i] != 0x3D { i += 1 }
            guard i > start else { throw fail("expected a name") }
            return String(decoding: b[start..<i], as: UTF8.self)
        }

        static func local(_ n: String) -> String {
            if let colon = n.lastIndex(of: ":") { return String(n[n.index(after: colon)...]) }
            return n
        }

        mutating func element(depth: Int) throws(XMLReadError) -> XMLElement {
            guard depth < MiniXML.maxDepth else { throw .tooDeep }
            count += 1
            guard count <= MiniXML.maxElements else { throw .tooManyElements }
            i += 1 // "<"
            let qname = try name()
            var attributes: [String: String] = [:]
            while true {
                skipSpace()
                guard i < b.count else { throw fail("unterminated start tag <\(qname)>") }
                if starts("/>") {
                    i += 2
                    return XMLElement(name: Self.local(qname), attributes: attributes, children: [], text: "")
                }
                if b[i] == UInt8(ascii: ">") { i += 1; break }
                let an = try name()
                skipSpace()
                guard i < b.count, b[i] == UInt8(ascii: "=") else { throw fail("attribute \(an) without a value") }
                i += 1
                skipSpace()
                guard i < b.count, b[i] == 0x22 || b[i] == 0x27 else { throw fail("attribute value not quoted") }
                let quote = b[i]
                i += 1
                let start = i
                while i < b.count, b[i] != quote { i += 1 }
                guard i < b.count else { throw fail("unterminated attribute value") }
                attributes[Self.local(an)] = try Self.unescape(b[start..<i], at: start)
                i += 1
            }
            var children: [XMLElement] = []
            var text: [UInt8] = []
            while true {
                guard i < b.count else { throw fail("<\(qname)> is not closed") }
                if starts("</") {
                    i += 2
                    let close = try name()
                    guard close == qname else { throw fail("</\(close)> closes <\(qname)>") }
                    skipSpace()
                    guard i < b.count, b[i] == UInt8(ascii: ">") else { throw fail("bad end tag") }
                    i += 1
                    let t = try Self.unescape(text[...], at: i)
                    return XMLElement(name: Self.local(qname), attributes: attributes, children: children,
                                      text: t.trimmingCharacters(in: .whitespacesAndNewlines))
                }
                if starts("<!--") { try skip(until: "-->"); continue }
                if starts("<![CDATA[") {
                    i += 9
                    let start = i
                    try skip(until: "]]>")
                    // CDATA is literal: escape the ampersands so unescape leaves it as it was.
                    for c in b[start..<(i - 3)] { text += c == UInt8(ascii: "&") ? Array("&amp;".utf8) : [c] }
                    continue
                }
                if starts("<?") { try skip(until: "?>"); continue }
                if starts("<!") { throw .doctypeRefused }
                if b[i] == UInt8(ascii: "<") { children.append(try element(depth: depth + 1)); continue }
                text.append(b[i])
                i += 1
            }
        }

        /// XML 1.0 §4.6 predefined entities and character references; anything else is an error
        /// (undeclared entity).
        static func unescape(_ s: ArraySlice<UInt8>, at offset: Int) throws(XMLReadError) -> String {
            guard s.contains(UInt8(ascii: "&")) else { return String(decoding: s, as: UTF8.self) }
            var out = ""
            var j = s.startIndex
            while j < s.endIndex {
                if s[j] != UInt8(ascii: "&") {
                    let start = j
                    while j < s.endIndex, s[j] != UInt8(ascii: "&") { j += 1 }
                    out += String(decoding: s[start..<j], as: UTF8.self)
                    continue
                }
                guard let semi = s[j...].prefix(12).firstIndex(of: UInt8(ascii: ";")) else {
                    throw .malformed("'&' without ';'", offset: offset)
                }
                let ref = String(decoding: s[(j + 1)..<semi], as: UTF8.self)
                switch ref {
                case "amp": out += "&"
                case "lt": out += "<"
                case "gt": out += ">"
                case "quot": out += "\""
                case "apos": out += "'"
                default:
                    var scalar: UInt32?
                    if ref.hasPrefix("#x") { scalar = UInt32(ref.dropFirst(2), radix: 16) } else if ref.hasPrefix("#") { scalar = UInt32(ref.dropFirst()) }
                    guard let v = scalar, let u = Unicode.Scalar(v) else {
                        throw .malformed("unknown entity &\(ref);", offset: offset)
                    }
                    out.unicodeScalars.append(u)
                }
                j = semi + 1
            }
            return out
        }
    }
}
