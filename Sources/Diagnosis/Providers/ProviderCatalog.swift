/// A hosted mail provider or a self-hosted server family, with what it documents for clients.
public struct ProviderDefinition: Sendable, Hashable, Codable {
    public struct ClientSetting: Sendable, Hashable, Codable {
        /// imap, pop3, smtp (submission).
        public var service: String
        public var host: String
        public var port: Int
        /// ssl (implicit TLS, RFC 8314) or starttls.
        public var security: String

        public init(_ service: String, _ host: String, _ port: Int, _ security: String) {
            self.service = service; self.host = host; self.port = port; self.security = security
        }
    }

    public var id: String
    public var name: String
    /// Lower-case suffixes of MX host names (`.mail.protection.outlook.com`).
    public var mxSuffixes: [String]
    /// Autodiscover/autoconfig CNAME targets that identify the provider.
    public var autodiscoverSuffixes: [String]
    /// Substrings of SMTP/IMAP greetings (for self-hosted software).
    public var bannerNeedles: [String]
    public var clientSettings: [ClientSetting]
    /// The `include:` the provider tells customers to put in SPF (nil when none is needed).
    public var spfInclude: String?
    public var dkimSelectors: [String]
    public var documentation: String?

    public var selfHosted: Bool { mxSuffixes.isEmpty }
}

/// How the provider was recognised, for the report.
public struct ProviderMatch: Sendable, Hashable, Codable {
    public var provider: ProviderDefinition
    /// `MX mx1.example.mail.protection.outlook.com`, `banner "ESMTP Postfix"`.
    public var matchedBy: String

    public init(provider: ProviderDefinition, matchedBy: String) {
        self.provider = provider
        self.matchedBy = matchedBy
    }
}

/// Recognises providers from MX names first, then autodiscover targets, then banners.
public enum ProviderCatalog {
    public static func match(mxHosts: [String], autodiscoverTargets: [String] = [], banners: [String] = [],
                             catalog: [ProviderDefinition] = ProviderTable.all) -> ProviderMatch? {
        for host in mxHosts {
            let h = normalised(host)
            for p in catalog where p.mxSuffixes.contains(where: { h.hasSuffix($0) }) {
                return ProviderMatch(provider: p, matchedBy: "MX \(h)")
            }
        }
        for target in autodiscoverTargets {
            let t = normalised(target)
            for p in catalog where p.autodiscoverSuffixes.contains(where: { t.hasSuffix($0) }) {
                return ProviderMatch(provider: p, matchedBy: "autodiscover \(t)")
            }
        }
        for banner in banners {
            let b = banner.lowercased()
            for p in catalog where p.bannerNeedles.contains(where: { b.contains($0) }) {
                return ProviderMatch(provider: p, matchedBy: "banner \"\(banner.prefix(80))\"")
            }
        }
        return nil
    }

    static func normalised(_ name: String) -> String {
        var n = name.lowercased()
        if n.hasSuffix(".") { n.removeLast() }
        return "." + n
    }

    /// Whether an SPF record carries the provider's include (RFC 7208 §5.2), by term.
    public static func spfHasInclude(_ record: String, include: String) -> Bool {
        record.lowercased().split(separator: " ").contains { term in
            var t = Substring(term)
            if let q = t.first, "+-~?".contains(q) { t = t.dropFirst() }
            return t == "include:" + include.lowercased() || t == "redirect=" + include.lowercased()
        }
    }
}
