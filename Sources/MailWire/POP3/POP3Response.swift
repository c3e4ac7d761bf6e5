/// One POP3 response (RFC 1939 §3): a status line, and for multi-line responses the lines
/// that follow up to the lone ".", dot-unstuffed.
public struct POP3Response: Sendable, Hashable, Codable {
    public enum Status: String, Sendable, Hashable, Codable {
        case ok = "+OK"
        case err = "-ERR"
        /// RFC 5034 §4: `+ base64` during AUTH.
        case continuation = "+"
    }

    public let status: Status
    /// The text after the status indicator on the first line.
    public let text: String
    /// Body lines of a multi-line response (without the terminating ".").
    public let lines: [String]

    public init(status: Status, text: String, lines: [String] = []) {
        self.status = status
        self.text = text
        self.lines = lines
    }

    public var isOK: Bool { status == .ok }

    /// RFC 2449 §8: extended response code in brackets after -ERR/+OK (`[AUTH]`, `[IN-USE]`).
    public var responseCode: String? {
        guard text.hasPrefix("["), let close = text.firstIndex(of: "]") else { return nil }
        return String(text[text.index(after: text.startIndex)..<close])
    }

    /// RFC 1939 §7: the APOP timestamp `<…>` in a greeting (`+OK POP3 ready <1896.697170952@dbc.mtview.ca.us>`).
    public var apopTimestamp: String? {
        guard let open = text.lastIndex(of: "<"), let close = text.lastIndex(of: ">"), open < close else { return nil }
        let inner = text[text.index(after: open)..<close]
        guard inner.contains("@") else { return nil }
        return String(text[open...close])
    }

    public var statusLine: String { text.isEmpty ? status.rawValue : status.rawValue + " " + text }
}

/// RFC 2449 §5: CAPA lists one capability per line, `tag *(SP param)`.
public struct POP3Capabilities: Sendable, Hashable, Codable {
    public let lines: [String]

    public init(capaResponse: POP3Response) {
        lines = capaResponse.lines
    }

    public init(lines: [String]) { self.lines = lines }

    public func has(_ tag: String) -> Bool { tags.contains(tag.uppercased()) }
    public var tags: [String] { lines.compactMap { $0.split(separator: " ").first.map { $0.uppercased() } } }
    public func parameters(_ tag: String) -> [String]? {
        for l in lines {
            let w = l.split(separator: " ")
            if w.first?.uppercased() == tag.uppercased() { return w.dropFirst().map(String.init) }
        }
        return nil
    }

    public var top: Bool { has("TOP") }
    public var uidl: Bool { has("UIDL") }
    /// RFC 2449 §6.8: USER/PASS is allowed.
    public var user: Bool { has("USER") }
    /// RFC 2595 §4: STLS.
    public var stls: Bool { has("STLS") }
    public var pipelining: Bool { has("PIPELINING") }
    /// RFC 2449 §6.3 / RFC 5034: `SASL PLAIN LOGIN …`.
    public var saslMechanisms: [String] { (parameters("SASL") ?? []).map { $0.uppercased() } }
    public var implementation: String? { parameters("IMPLEMENTATION")?.joined(separator: " ") }
}
