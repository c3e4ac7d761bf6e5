import Foundation

/// One header field, unfolded (RFC 5322 §2.2.3), name as sent.
public struct HeaderField: Sendable, Codable, Equatable {
    public let name: String
    public let value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// A minimal, bounded reader of a message's header section: enough for the round trip's
/// Received chain and Authentication-Results. (The full header analysis lives elsewhere.)
public enum HeaderSection {
    /// Bounds: inputs past `maxOctets` are cut there, at most `maxFields` fields, each value at
    /// most `maxValue` characters; nothing a peer sends can grow memory or time beyond them.
    public static let maxOctets = 256 * 1024
    public static let maxFields = 2000
    public static let maxValue = 16 * 1024

    /// RFC 5322 §2.2: `field-name ":" field-body CRLF`, continuation lines start with WSP; the
    /// section ends at the first empty line. Lines without a colon are skipped; bare LF is
    /// accepted as a line end.
    public static func parse(_ bytes: [UInt8]) -> [HeaderField] {
        var fields: [HeaderField] = []
        var name: [UInt8] = []
        var value: [UInt8] = []
        var open = false
        func flush() {
            if open, fields.count < maxFields {
                let v = String(decoding: value.prefix(maxValue * 4), as: UTF8.self)
                fields.append(HeaderField(name: String(decoding: name, as: UTF8.self),
                                          value: String(v.trimmingCharacters(in: .whitespaces).prefix(maxValue))))
            }
            open = false
            name = []
            value = []
        }
        let input = bytes.prefix(maxOctets)
        var start = input.startIndex
        while start < input.endIndex {
            var end = input[start...].firstIndex(of: 0x0A) ?? input.endIndex
            let next = end < input.endIndex ? end + 1 : end
            if end > start, input[end - 1] == 0x0D { end -= 1 }
            let line = input[start..<end]
            start = next
            if line.isEmpty { break }  // end of the header section
            if let first = line.first, first == 0x20 || first == 0x09 {
                // RFC 5322 §2.2.3: unfolding removes the CRLF before the WSP.
                if open, value.count < maxValue * 4 { value += [0x20] + line.drop { $0 == 0x20 || $0 == 0x09 } }
                continue
            }
            flush()
            guard let colon = line.firstIndex(of: 0x3A) else { continue }
            let n = line[line.startIndex..<colon]
            // RFC 5322 §3.6.8: ftext is printable ASCII except ":"; trailing WSP tolerated (obs).
            let trimmed = n.reversed().drop { $0 == 0x20 || $0 == 0x09 }.reversed()
            guard !trimmed.isEmpty, trimmed.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { continue }
            name = Array(trimmed.prefix(200))
            value = Array(line[(colon + 1)...].prefix(maxValue * 4))
            open = true
        }
        flush()
        return fields
    }

    /// The values of every field called `name` (case-insensitive), top to bottom.
    public static func values(_ name: String, in fields: [HeaderField]) -> [String] {
        fields.filter { $0.name.caseInsensitiveCompare(name) == .orderedSame }.map(\.value)
    }

    /// Removes RFC 5322 §3.2.2 comments (nested parentheses, quoted pairs), bounded by the input.
    public static func strippingComments(_ s: String) -> String {
        var out = ""
        var depth = 0
        var escaped = false
        var quoted = false
        for c in s {
            if escaped { escaped = false; if depth == 0 { out.append(c) }; continue }
            if c == "\\" { escaped = true; if depth == 0 { out.append(c) }; continue }
            if c == "\"" && depth == 0 { quoted.toggle(); out.append(c); continue }
            if !quoted && c == "(" { depth += 1; continue }
            if !quoted && c == ")" && depth > 0 { depth -= 1; continue }
            if depth == 0 { out.append(c) }
        }
        return out
    }
}
