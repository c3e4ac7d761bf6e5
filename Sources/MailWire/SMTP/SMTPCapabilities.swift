/// The service extensions an EHLO reply announces (RFC 5321 §4.1.1.1: first line is the
/// greeting, each further line one `ehlo-keyword *(SP ehlo-param)`).
public struct SMTPCapabilities: Sendable, Hashable, Codable {
    /// Every extension line, keyword upper-cased, parameters as sent.
    public let extensions: [Extension]
    /// The domain the server named on the first EHLO line.
    public let serverName: String

    public struct Extension: Sendable, Hashable, Codable {
        public let keyword: String
        public let parameters: [String]
    }

    public init(ehloReply: SMTPReply) {
        let first = ehloReply.lines.first ?? ""
        serverName = String(first.split(separator: " ").first ?? "")
        extensions = ehloReply.lines.dropFirst().compactMap { line in
            let words = WireText.words(Substring(line))
            guard let kw = words.first else { return nil }
            // Old servers announce `AUTH=LOGIN PLAIN`; treat it as AUTH.
            if kw.uppercased().hasPrefix("AUTH=") {
                return Extension(keyword: "AUTH", parameters: [String(kw.dropFirst(5))] + words.dropFirst().map(String.init))
            }
            return Extension(keyword: kw.uppercased(), parameters: words.dropFirst().map(String.init))
        }
    }

    public func has(_ keyword: String) -> Bool { extensions.contains { $0.keyword == keyword.uppercased() } }

    public func parameters(_ keyword: String) -> [String]? {
        extensions.first { $0.keyword == keyword.uppercased() }?.parameters
    }

    /// RFC 1870 §4: `SIZE [number]`; 0 or absent means no fixed limit.
    public var maxSize: Int? { parameters("SIZE")?.first.flatMap { Int($0) } }
    public var pipelining: Bool { has("PIPELINING") }     // RFC 2920
    public var eightBitMIME: Bool { has("8BITMIME") }     // RFC 6152
    public var smtpUTF8: Bool { has("SMTPUTF8") }         // RFC 6531
    public var chunking: Bool { has("CHUNKING") }         // RFC 3030
    public var dsn: Bool { has("DSN") }                   // RFC 3461
    public var enhancedStatusCodes: Bool { has("ENHANCEDSTATUSCODES") }  // RFC 2034
    public var requireTLS: Bool { has("REQUIRETLS") }     // RFC 8689
    public var startTLS: Bool { has("STARTTLS") }         // RFC 3207
    /// RFC 4954 §3: `AUTH mech *(SP mech)`, upper-cased, merged over AUTH and AUTH= lines.
    public var authMechanisms: [String] {
        var seen: [String] = []
        for e in extensions where e.keyword == "AUTH" {
            for m in e.parameters.map({ $0.uppercased() }) where !seen.contains(m) { seen.append(m) }
        }
        return seen
    }

    /// Keywords only, for before/after-TLS comparison.
    public var keywords: [String] { extensions.map(\.keyword) }

    /// What changed between two EHLO replies (typically before and after STARTTLS).
    public static func diff(before: SMTPCapabilities, after: SMTPCapabilities) -> CapabilityDiff {
        CapabilityDiff(before: before.summaryItems, after: after.summaryItems)
    }

    /// `SIZE 10240000`, `AUTH PLAIN LOGIN`, `PIPELINING` …
    public var summaryItems: [String] {
        extensions.map { ([$0.keyword] + $0.parameters).joined(separator: " ") }
    }
}

/// Items present only before, only after, or in both.
public struct CapabilityDiff: Sendable, Hashable, Codable {
    public let added: [String]
    public let removed: [String]
    public let unchanged: [String]

    public init(before: [String], after: [String]) {
        added = after.filter { !before.contains($0) }
        removed = before.filter { !after.contains($0) }
        unchanged = before.filter { after.contains($0) }
    }
}
