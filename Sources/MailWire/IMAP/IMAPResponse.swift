/// One IMAP server response (RFC 9051 §7), literals included.
///
/// ```
/// response-data  = "*" SP (resp-cond-state / resp-cond-bye / mailbox-data / message-data /
///                  capability-data / enable-data) CRLF
/// response-tagged = tag SP resp-cond-state CRLF
/// continue-req   = "+" SP (resp-text / base64) CRLF
/// ```
/// The text after the tag is kept whole; literal contents are kept apart in `literals`, in
/// order, while `text` keeps their `{n}` markers where they appeared.
public struct IMAPResponse: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        case untagged
        case continuation
        case tagged(String)
    }

    public let kind: Kind
    public let text: String
    public let literals: [[UInt8]]

    public init(kind: Kind, text: String, literals: [[UInt8]] = []) {
        self.kind = kind
        self.text = text
        self.literals = literals
    }

    public var tag: String? {
        if case .tagged(let t) = kind { return t }
        return nil
    }

    /// RFC 9051 §7.1: the condition of a status response, when `text` starts with one.
    public var status: IMAPStatus? {
        guard let first = text.split(separator: " ", maxSplits: 1).first else { return nil }
        return IMAPStatus(rawValue: first.uppercased())
    }

    /// The response code in brackets after the status (`[CAPABILITY …]`, `[AUTHENTICATIONFAILED]`).
    public var responseCode: String? {
        guard status != nil else { return nil }
        let rest = text.drop { $0 != " " }.dropFirst()
        guard rest.hasPrefix("["), let close = rest.firstIndex(of: "]") else { return nil }
        return String(rest[rest.index(after: rest.startIndex)..<close])
    }

    /// Human-readable text after the status and any response code.
    public var statusText: String {
        guard status != nil else { return text }
        var rest = text.drop { $0 != " " }.dropFirst()
        if rest.hasPrefix("["), let close = rest.firstIndex(of: "]") {
            rest = rest[rest.index(after: close)...].drop { $0 == " " }
        }
        return String(rest)
    }

    /// For untagged data: the keyword (`CAPABILITY`, `LIST`, `FLAGS`, or `EXISTS`/`FETCH` after a number).
    public var keyword: String? {
        guard kind == .untagged else { return nil }
        let words = text.split(separator: " ", maxSplits: 2)
        guard let first = words.first else { return nil }
        if first.allSatisfy(\.isNumber), words.count > 1 { return words[1].uppercased() }
        return first.uppercased()
    }

    /// For `* 3 EXISTS` and `* 1 FETCH …`: the number before the keyword.
    public var number: Int? {
        guard kind == .untagged, let first = text.split(separator: " ", maxSplits: 1).first else { return nil }
        return Int(first)
    }

    /// Wire-like rendering for transcripts (literal contents shown as their size only).
    public var transcriptText: String {
        switch kind {
        case .untagged: return "* " + text
        case .continuation: return text.isEmpty ? "+" : "+ " + text
        case .tagged(let t): return t + " " + text
        }
    }
}

/// RFC 9051 §7.1 status conditions.
public enum IMAPStatus: String, Sendable, Hashable, Codable {
    case ok = "OK", no = "NO", bad = "BAD", preauth = "PREAUTH", bye = "BYE"
}
