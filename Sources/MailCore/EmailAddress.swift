/// An RFC 5321 mailbox: `local-part@domain`.
///
/// RFC 5321 §4.1.2: `Mailbox = Local-part "@" ( Domain / address-literal )`; the local part is a
/// dot-string or a quoted string and at most 64 octets (§4.5.3.1.1). The domain is kept as text
/// when it is an address literal (`[192.0.2.1]`).
public struct EmailAddress: Sendable, Hashable, Codable, CustomStringConvertible {
    public let localPart: String
    public let domain: String

    public enum ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        case missingAt
        case emptyLocalPart
        case localPartTooLong(Int)
        case invalidDomain(String)
        case controlCharacter

        public var description: String {
            switch self {
            case .missingAt: return "an e-mail address needs an '@'"
            case .emptyLocalPart: return "the part before '@' is empty"
            case .localPartTooLong(let n): return "local part is \(n) octets, longer than 64 (RFC 5321 §4.5.3.1.1)"
            case .invalidDomain(let why): return "invalid domain: \(why)"
            case .controlCharacter: return "control characters (CR, LF, NUL…) are not allowed in an address"
            }
        }
    }

    public init(localPart: String, domain: String) {
        self.localPart = localPart
        self.domain = domain
    }

    public init(_ text: String) throws(ParseError) {
        guard !text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw .controlCharacter
        }
        // The last '@' outside a quoted local part separates the domain.
        guard let at = text.lastIndex(of: "@") else { throw .missingAt }
        let local = String(text[..<at])
        let domain = String(text[text.index(after: at)...])
        guard !local.isEmpty else { throw .emptyLocalPart }
        guard local.utf8.count <= 64 else { throw .localPartTooLong(local.utf8.count) }
        if domain.hasPrefix("[") && domain.hasSuffix("]") {
            self.init(localPart: local, domain: domain)
            return
        }
        do {
            let d = try DomainName(domain)
            self.init(localPart: local, domain: d.description)
        } catch {
            throw .invalidDomain(error.description)
        }
    }

    /// The domain as a `DomainName`, or nil for an address literal.
    public var domainName: DomainName? {
        domain.hasPrefix("[") ? nil : try? DomainName(domain)
    }

    public var description: String { "\(localPart)@\(domain)" }
}
