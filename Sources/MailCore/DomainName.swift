/// A DNS domain name in presentation form, normalised to lower case without the trailing dot.
///
/// RFC 1035 §2.3.4: labels are 1–63 octets, the whole name at most 255 octets on the wire
/// (253 characters in presentation form). Labels are kept as given apart from case; the
/// LDH rule is not enforced here because `_dmarc`, `_25._tcp` and similar names are ordinary
/// in mail DNS.
public struct DomainName: Sendable, Hashable, Codable, CustomStringConvertible, Comparable {
    public let labels: [String]

    public enum ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        case empty
        case emptyLabel(position: Int)
        case labelTooLong(label: String)
        case nameTooLong(length: Int)
        case invalidCharacter(Character, position: Int)

        public var description: String {
            switch self {
            case .empty: return "empty domain name"
            case .emptyLabel(let p): return "empty label at position \(p)"
            case .labelTooLong(let l): return "label '\(l.prefix(20))…' is longer than 63 octets (RFC 1035 §2.3.4)"
            case .nameTooLong(let n): return "name is \(n) octets, longer than 253 (RFC 1035 §2.3.4)"
            case .invalidCharacter(let c, let p): return "character '\(c)' at position \(p) is not allowed in a domain name"
            }
        }
    }

    /// The root name (no labels).
    public static let root = DomainName(uncheckedLabels: [])

    public init(uncheckedLabels: [String]) {
        self.labels = uncheckedLabels.map { $0.lowercased() }
    }

    /// Parses presentation form: `Example.COM.` → `example.com`.
    public init(_ text: String) throws(ParseError) {
        var s = Substring(text)
        if s == "." { self.labels = []; return }
        if s.hasSuffix(".") { s = s.dropLast() }
        guard !s.isEmpty else { throw .empty }
        var labels: [String] = []
        var position = 0
        for part in s.split(separator: ".", omittingEmptySubsequences: false) {
            guard !part.isEmpty else { throw .emptyLabel(position: position) }
            guard part.utf8.count <= 63 else { throw .labelTooLong(label: String(part)) }
            for (i, c) in part.enumerated() {
                guard c.isASCII, !c.isWhitespace, c != "@", c != "/", c != "\\", c != "\"",
                      let a = c.asciiValue, a >= 0x21, a < 0x7F
                else { throw .invalidCharacter(c, position: position + i) }
            }
            labels.append(part.lowercased())
            position += part.count + 1
        }
        let length = labels.reduce(0) { $0 + $1.utf8.count + 1 } - 1
        guard length <= 253 else { throw .nameTooLong(length: length) }
        self.labels = labels
    }

    public var description: String { labels.isEmpty ? "." : labels.joined(separator: ".") }

    /// The name one label up (`mx1.corp.example` → `corp.example`); nil for the root.
    public var parent: DomainName? {
        labels.isEmpty ? nil : DomainName(uncheckedLabels: Array(labels.dropFirst()))
    }

    /// True when `self` equals `other` or lies below it.
    public func isSubdomain(of other: DomainName) -> Bool {
        labels.count >= other.labels.count && Array(labels.suffix(other.labels.count)) == other.labels
    }

    /// `_25._tcp` + `mx.example` → `_25._tcp.mx.example`.
    public func prepending(_ prefix: String) throws(ParseError) -> DomainName {
        try DomainName(prefix + "." + description)
    }

    public static func < (lhs: DomainName, rhs: DomainName) -> Bool {
        // Canonical DNS order compares labels right to left (RFC 4034 §6.1).
        let l = lhs.labels.reversed(), r = rhs.labels.reversed()
        for (a, b) in zip(l, r) where a != b { return a < b }
        return l.count < r.count
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do { try self.init(text) } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}
