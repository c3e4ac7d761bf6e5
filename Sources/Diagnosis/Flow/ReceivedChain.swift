import Foundation

/// One `Received:` field (RFC 5321 §4.4): who handed the message to whom, how, and when.
public struct ReceivedHop: Sendable, Codable, Equatable {
    public let from: String?
    public let by: String?
    /// `with` protocol (`ESMTPS`, `ESMTPSA`, `LMTP` …; RFC 3848 names).
    public let with: String?
    /// The date after the last ";", as written, and parsed when it follows RFC 5322 §3.3.
    public let dateText: String?
    public let date: Date?
    /// True when the protocol name says TLS (RFC 3848: ESMTPS/ESMTPSA) or Postfix's TLS
    /// comment is present (`(using TLSv1.3 with cipher …)`).
    public let tls: Bool
    public let raw: String

    /// Parses one field value; never fails (missing parts are nil).
    public init(_ value: String) {
        raw = value
        var main = value
        if let semi = value.lastIndex(of: ";") {
            let d = value[value.index(after: semi)...].trimmingCharacters(in: .whitespaces)
            dateText = d.isEmpty ? nil : String(d.prefix(200))
            main = String(value[..<semi])
            date = dateText.flatMap(Self.parseDate)
        } else {
            dateText = nil
            date = nil
        }
        tls = value.range(of: "using TLS", options: .caseInsensitive) != nil
            || value.range(of: "(version=TLS", options: .caseInsensitive) != nil
            || Self.word(after: "with", in: HeaderSection.strippingComments(main)).map { $0.uppercased().hasPrefix("ESMTPS") || $0.uppercased() == "UTF8SMTPS" } == true
        let clean = HeaderSection.strippingComments(main)
        from = Self.word(after: "from", in: clean)
        by = Self.word(after: "by", in: clean)
        with = Self.word(after: "with", in: clean)
    }

    /// The token after a keyword (`from`, `by`, `with`), case-insensitive, as a separate word.
    static func word(after keyword: String, in text: String) -> String? {
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard let i = words.firstIndex(where: { $0.caseInsensitiveCompare(keyword) == .orderedSame }), i + 1 < words.count else { return nil }
        return String(words[i + 1].prefix(255))
    }

    /// RFC 5322 §3.3 date-time, with or without the day of week, comments removed.
    public static func parseDate(_ text: String) -> Date? {
        let t = HeaderSection.strippingComments(text).split(separator: " ").joined(separator: " ")
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        for format in ["EEE, d MMM yyyy HH:mm:ss Z", "d MMM yyyy HH:mm:ss Z", "EEE, d MMM yyyy HH:mm Z", "EEE, d MMM yyyy HH:mm:ss zzz"] {
            f.dateFormat = format
            if let d = f.date(from: t) { return d }
        }
        return nil
    }

    /// The chain top to bottom, as found (the newest hop first).
    public static func chain(_ fields: [HeaderField]) -> [ReceivedHop] {
        HeaderSection.values("Received", in: fields).prefix(100).map(ReceivedHop.init)
    }
}

/// One `Authentication-Results:` field (RFC 8601 §2.2): the verifier and each method's result.
public struct AuthenticationResults: Sendable, Codable, Equatable {
    public struct Method: Sendable, Codable, Equatable {
        /// `spf`, `dkim`, `dmarc`, `arc`, `auth`, … (lower-cased).
        public let method: String
        /// `pass`, `fail`, `softfail`, `neutral`, `none`, `temperror`, `permerror`, … (lower-cased).
        public let result: String
        /// The rest of the resinfo (`smtp.mailfrom=…`, `header.d=…`), as written.
        public let properties: String
    }

    public let authservID: String
    public let methods: [Method]
    public let raw: String

    /// `authserv-id [version] ; method=result … ; …` (RFC 8601 §2.2); `none` alone means no
    /// results (§2.2). Comments are removed first.
    public init(_ value: String) {
        raw = value
        let parts = HeaderSection.strippingComments(value).split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        authservID = String((parts.first ?? "").split(separator: " ").first ?? "")
        var methods: [Method] = []
        for p in parts.dropFirst().prefix(50) where !p.isEmpty && p.lowercased() != "none" {
            let words = p.split(separator: " ", maxSplits: 1)
            guard let first = words.first, let eq = first.firstIndex(of: "=") else { continue }
            let m = first[..<eq].split(separator: "/").first.map { $0.lowercased() } ?? ""
            let r = first[first.index(after: eq)...].lowercased()
            guard !m.isEmpty, !r.isEmpty else { continue }
            methods.append(Method(method: m, result: r, properties: words.count > 1 ? String(words[1].trimmingCharacters(in: .whitespaces).prefix(1000)) : ""))
        }
        self.methods = methods
    }

    public static func all(_ fields: [HeaderField]) -> [AuthenticationResults] {
        HeaderSection.values("Authentication-Results", in: fields).prefix(50).map(AuthenticationResults.init)
    }
}
