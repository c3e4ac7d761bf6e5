import DNSWire
import MailCore

/// What `mxray check` was pointed at: a mail domain, one mail host, or an e-mail address (whose
/// domain is checked). Parsed once; the engine branches on `kind`.
public struct CheckTarget: Sendable, Codable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Codable {
        /// A mail domain: its MX set is located first (RFC 5321 §5.1).
        case domain
        /// One host (name or IP address): probed directly, no MX lookup.
        case host
        /// An e-mail address: the domain after the `@` is checked.
        case email
    }

    public let kind: Kind
    /// What the user typed.
    public let input: String
    /// The domain whose DNS and policies are checked (nil for a bare IP address).
    public let domain: DomainName?
    /// For `host`: an IP literal, when one was given.
    public let address: String?

    public init(kind: Kind, input: String, domain: DomainName?, address: String? = nil) {
        self.kind = kind
        self.input = input
        self.domain = domain
        self.address = address
    }

    public var description: String { input }

    public struct ParseError: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// `user@example.org` → email; an IP literal → host; `host:` prefix or `--host` → host;
    /// anything else that is a domain name → domain.
    public static func parse(_ text: String, asHost: Bool = false) throws(ParseError) -> CheckTarget {
        let trimmed = text.strippingEdges(" \t")
        guard !trimmed.isEmpty else { throw ParseError(description: "the target is empty") }
        if trimmed.contains("@") {
            let address: EmailAddress
            do { address = try EmailAddress(trimmed) } catch {
                throw ParseError(description: "'\(trimmed)' is not an e-mail address: \(error)")
            }
            guard let domain = address.domainName else {
                throw ParseError(description: "'\(address.domain)' is not a domain name")
            }
            return CheckTarget(kind: .email, input: trimmed, domain: domain)
        }
        let bare = trimmed.hasPrefix("[") && trimmed.hasSuffix("]") ? String(trimmed.dropFirst().dropLast()) : trimmed
        if IPAddress(bare) != nil {
            return CheckTarget(kind: .host, input: trimmed, domain: nil, address: bare)
        }
        let name: DomainName
        do { name = try DomainName(trimmed) } catch {
            throw ParseError(description: "'\(trimmed)' is neither a domain, a host nor an e-mail address: \(error)")
        }
        guard name.labels.count >= 2 || asHost else {
            throw ParseError(description: "'\(trimmed)' has a single label; give a full domain name")
        }
        return CheckTarget(kind: asHost ? .host : .domain, input: trimmed, domain: name)
    }
}

extension String {
    fileprivate func strippingEdges(_ set: String) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s = s.dropFirst() }
        while let l = s.last, set.contains(l) { s = s.dropLast() }
        return String(s)
    }
}
