/// Software named by an SMTP greeting. A guess from text the admin controls, so it is
/// reported as "looks like", never used to decide a finding.
public struct ServerFingerprint: Sendable, Hashable, Codable, CustomStringConvertible {
    public let software: String
    /// A version when the banner shows one.
    public let version: String?

    public init(software: String, version: String? = nil) {
        self.software = software
        self.version = version
    }

    public var description: String { version.map { "\(software) \($0)" } ?? software }

    /// Patterns in greeting (and EHLO) text, most specific first. Each: needle, software, and
    /// the word after which a version may follow.
    static let patterns: [(needle: String, software: String, versionAfter: String?)] = [
        ("microsoft esmtp mail service", "Microsoft Exchange", "version:"),
        ("microsoft smtp server", "Microsoft Exchange", nil),
        ("postfix", "Postfix", "postfix"),
        ("exim", "Exim", "exim"),
        ("sendmail", "Sendmail", "sendmail"),
        ("haraka", "Haraka", "haraka/"),
        ("opensmtpd", "OpenSMTPD", nil),
        ("qmail", "qmail", nil),
        ("mdaemon", "MDaemon", "mdaemon"),
        ("zimbra", "Zimbra", nil),
        ("communigate", "CommuniGate Pro", nil),
        ("kerio connect", "Kerio Connect", "kerio connect"),
        ("mailenable", "MailEnable", nil),
        ("smartermail", "SmarterMail", nil),
        ("ironport", "Cisco IronPort", nil),
        ("mimecast", "Mimecast", nil),
        ("proofpoint", "Proofpoint", nil),
        ("mx.google.com", "Google", nil),
        ("protection.outlook.com", "Microsoft 365", nil),
        ("courier", "Courier", nil),
        ("james", "Apache James", nil),
        ("dovecot", "Dovecot", nil),
        ("cyrus", "Cyrus", nil),
    ]

    /// Matches greeting text (`mx.example ESMTP Postfix (Debian/GNU)`). Nil when nothing matches.
    public static func identify(_ text: String) -> ServerFingerprint? {
        let lower = text.lowercased()
        for p in patterns where lower.contains(p.needle) {
            return ServerFingerprint(software: p.software, version: p.versionAfter.flatMap { version(in: lower, after: $0) })
        }
        return nil
    }

    /// A token that starts with a digit right after `marker` (`Exim 4.96`, `Sendmail 8.17.1/8.17.1`).
    static func version(in lower: String, after marker: String) -> String? {
        guard let r = lower.firstRange(of: marker) else { return nil }
        let rest = lower[r.upperBound...].drop(while: { $0 == " " || $0 == "/" })
        let token = rest.prefix { $0.isNumber || $0 == "." }
        guard let first = token.first, first.isNumber, token.count <= 20 else { return nil }
        return String(token.trimmingSuffixDots())
    }
}

extension Substring {
    func trimmingSuffixDots() -> Substring {
        var s = self
        while s.hasSuffix(".") { s = s.dropLast() }
        return s
    }
}
