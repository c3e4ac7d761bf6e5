import MailCore

/// Names on the wire are sequences of octet labels. `DomainName` keeps each label as a `String`
/// whose Unicode scalars are the label's octets one to one (Latin-1), so any label survives a
/// decode/encode round trip; ASCII names (all of mail DNS) read as themselves.
extension DomainName {
    /// Octets of one label as stored.
    @inlinable
    static func labelOctets(_ label: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(label.utf8.count)
        for s in label.unicodeScalars { out.append(s.value < 256 ? UInt8(s.value) : 0x3F) }
        return out
    }

    static func label(fromOctets octets: ArraySlice<UInt8>) -> String {
        // Fast path: printable ASCII is already valid UTF-8 with the same scalars.
        if octets.allSatisfy({ $0 < 0x80 }) { return String(decoding: octets, as: UTF8.self) }
        var s = String.UnicodeScalarView()
        for b in octets { s.append(Unicode.Scalar(b)) }
        return String(s)
    }

    /// Length in octets on the wire, uncompressed, including the root label.
    public var wireLength: Int { labels.reduce(1) { $0 + 1 + Self.labelOctets($1).count } }

    /// Presentation form with a trailing dot and RFC 1035 §5.1 escapes (`\.` inside a label,
    /// `\DDD` for octets outside printable ASCII), as dig/kdig print names.
    public var presentation: String {
        if labels.isEmpty { return "." }
        var out = ""
        for label in labels {
            for o in Self.labelOctets(label) {
                switch o {
                case UInt8(ascii: "."), UInt8(ascii: "\\"), UInt8(ascii: "\""), UInt8(ascii: "("),
                     UInt8(ascii: ")"), UInt8(ascii: ";"), UInt8(ascii: "@"), UInt8(ascii: "$"):
                    out += "\\" + String(UnicodeScalar(o))
                case 0x21...0x7E:
                    out.unicodeScalars.append(UnicodeScalar(o))
                default:
                    out += "\\" + String(repeating: "0", count: o < 10 ? 2 : (o < 100 ? 1 : 0)) + String(o)
                }
            }
            out += "."
        }
        return out
    }
}
