/// A cursor over one unfolded header value for the structured fields mxray reads (Date,
/// Received, Authentication-Results): RFC 5322 §3.2.2 CFWS with nested comments, quoted strings
/// (§3.2.4) and runs of other characters. Works on UTF-8 bytes (RFC 6532 allows UTF-8 values);
/// never reads past the end and bounds comment nesting.
struct HeaderScanner {
    let b: [UInt8]
    var i = 0
    /// Comments skipped so far by `skipCFWS`, innermost parentheses kept, outer ones removed.
    var comments: [String] = []

    static let maxCommentDepth = 64

    init(_ text: String) { b = Array(text.utf8) }
    init(bytes: [UInt8]) { b = bytes }

    var atEnd: Bool { i >= b.count }
    func peek() -> UInt8? { i < b.count ? b[i] : nil }
    var rest: String { String(decoding: b[min(i, b.count)...], as: UTF8.self) }

    static func isWSP(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0D || c == 0x0A }

    /// Skips folding white space and comments (RFC 5322 §3.2.2), remembering the comments.
    mutating func skipCFWS() {
        while i < b.count {
            if Self.isWSP(b[i]) { i += 1; continue }
            if b[i] == UInt8(ascii: "(") { comments.append(readComment()); continue }
            break
        }
    }

    /// Reads a comment starting at "(": ccontent with nesting and quoted-pairs; an unterminated
    /// comment runs to the end. Returns the text without the outer parentheses.
    mutating func readComment() -> String {
        precondition(b[i] == UInt8(ascii: "("))
        var depth = 0
        var out: [UInt8] = []
        while i < b.count {
            let c = b[i]
            if c == UInt8(ascii: "\\"), i + 1 < b.count { if depth > 0 { out.append(b[i + 1]) }; i += 2; continue }
            if c == UInt8(ascii: "(") {
                depth += 1; i += 1
                if depth > 1 { out.append(c) }
                if depth > Self.maxCommentDepth { i = b.count; break }
                continue
            }
            if c == UInt8(ascii: ")") {
                depth -= 1; i += 1
                if depth == 0 { break }
                out.append(c); continue
            }
            out.append(c); i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Reads a quoted string starting at `"` (RFC 5322 §3.2.4), quoted-pairs resolved; an
    /// unterminated one runs to the end.
    mutating func readQuoted() -> String {
        i += 1
        var out: [UInt8] = []
        while i < b.count {
            let c = b[i]
            if c == UInt8(ascii: "\\"), i + 1 < b.count { out.append(b[i + 1]); i += 2; continue }
            i += 1
            if c == UInt8(ascii: "\"") { break }
            out.append(c)
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Reads bytes up to WSP, "(", `"`, or any of `stops`.
    mutating func readToken(stops: Set<UInt8> = [UInt8(ascii: ";")]) -> String {
        let s = i
        while i < b.count, !Self.isWSP(b[i]), b[i] != UInt8(ascii: "("), b[i] != UInt8(ascii: "\""), !stops.contains(b[i]) { i += 1 }
        return String(decoding: b[s..<i], as: UTF8.self)
    }

    /// A value: a quoted string or a token.
    mutating func readValue(stops: Set<UInt8> = [UInt8(ascii: ";")]) -> String {
        if peek() == UInt8(ascii: "\"") { return readQuoted() }
        return readToken(stops: stops)
    }

    /// Consumes `c` if it is next.
    mutating func eat(_ c: Character) -> Bool {
        guard let a = c.asciiValue, peek() == a else { return false }
        i += 1
        return true
    }

    /// Takes the comments collected so far.
    mutating func takeComments() -> [String] {
        defer { comments = [] }
        return comments
    }
}
