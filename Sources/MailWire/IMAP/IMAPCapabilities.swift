/// IMAP capabilities (RFC 9051 §7.2.2), from a `* CAPABILITY` response or a `[CAPABILITY …]`
/// response code. Atoms are upper-cased.
public struct IMAPCapabilities: Sendable, Hashable, Codable {
    public let atoms: [String]

    public init(atoms: [String]) { self.atoms = atoms.map { $0.uppercased() } }

    /// From `* CAPABILITY …` data, or from a status response carrying `[CAPABILITY …]`.
    public init?(response: IMAPResponse) {
        if response.keyword == "CAPABILITY", response.status == nil {
            self.init(atoms: response.text.split(separator: " ").dropFirst().map(String.init))
            return
        }
        if let code = response.responseCode, code.uppercased().hasPrefix("CAPABILITY ") {
            self.init(atoms: code.split(separator: " ").dropFirst().map(String.init))
            return
        }
        return nil
    }

    public func has(_ atom: String) -> Bool { atoms.contains(atom.uppercased()) }

    public var imap4rev1: Bool { has("IMAP4rev1") }
    public var imap4rev2: Bool { has("IMAP4rev2") }      // RFC 9051
    /// RFC 9051 §6.2.3 / RFC 3501 §6.2.3: LOGIN is refused on this connection.
    public var loginDisabled: Bool { has("LOGINDISABLED") }
    public var startTLS: Bool { has("STARTTLS") }        // RFC 9051 §6.2.1
    public var idle: Bool { has("IDLE") }                // RFC 2177
    public var saslIR: Bool { has("SASL-IR") }           // RFC 4959
    /// `AUTH=PLAIN` … → `PLAIN` …
    public var authMechanisms: [String] {
        atoms.filter { $0.hasPrefix("AUTH=") }.map { String($0.dropFirst(5)) }
    }
}
