/// SMTP commands the probes send (RFC 5321 §4.1.1). Encoding refuses CR, LF and NUL in every
/// field that could come from a user or a peer, so no input can end a command early.
public enum SMTPCommand: Sendable, Equatable {
    case ehlo(String)
    case helo(String)
    case startTLS
    /// `MAIL FROM:<path>`; the path is given without angle brackets (empty for the null path).
    case mailFrom(String)
    /// `RCPT TO:<path>`; the path is given without angle brackets (source routes allowed).
    case rcptTo(String)
    case rset
    case noop
    case quit
    case vrfy(String)
    case expn(String)
    /// `AUTH mech [initial-response]` (RFC 4954 §4); the initial response is a secret.
    case auth(mechanism: String, initialResponse: String?)
    /// One SASL continuation line (base64 or `*`), a secret (RFC 4954 §4).
    case saslResponse(String)

    public func encoded() throws(CommandEncodingError) -> EncodedCommand {
        switch self {
        case .ehlo(let d):
            try WireText.checkField(d, "EHLO domain", maxLength: 255)
            return EncodedCommand(line: "EHLO \(d)")
        case .helo(let d):
            try WireText.checkField(d, "HELO domain", maxLength: 255)
            return EncodedCommand(line: "HELO \(d)")
        case .startTLS: return EncodedCommand(line: "STARTTLS")
        case .mailFrom(let p):
            try Self.checkPath(p, "MAIL FROM path")
            return EncodedCommand(line: "MAIL FROM:<\(p)>")
        case .rcptTo(let p):
            try Self.checkPath(p, "RCPT TO path")
            guard !p.isEmpty else { throw .emptyField(field: "RCPT TO path") }
            return EncodedCommand(line: "RCPT TO:<\(p)>")
        case .rset: return EncodedCommand(line: "RSET")
        case .noop: return EncodedCommand(line: "NOOP")
        case .quit: return EncodedCommand(line: "QUIT")
        case .vrfy(let s):
            try WireText.checkField(s, "VRFY argument", maxLength: 256)
            return EncodedCommand(line: "VRFY \(s)")
        case .expn(let s):
            try WireText.checkField(s, "EXPN argument", maxLength: 256)
            return EncodedCommand(line: "EXPN \(s)")
        case .auth(let mech, let initial):
            try Self.checkMechanism(mech)
            guard let initial else { return EncodedCommand(line: "AUTH \(mech)") }
            try WireText.checkField(initial, "AUTH initial response", maxLength: 12288)
            return EncodedCommand(line: "AUTH \(mech) \(initial)", redactedAs: "AUTH \(mech) <redacted>")
        case .saslResponse(let r):
            try WireText.checkField(r, "SASL response", allowEmpty: true, maxLength: 12288)
            return EncodedCommand(line: r, redactedAs: "<redacted>")
        }
    }

    /// RFC 5321 §4.5.3.1.3: a path is at most 256 octets; no '<' or '>' inside ours either.
    static func checkPath(_ p: String, _ field: String) throws(CommandEncodingError) {
        try WireText.checkField(p, field, allowEmpty: true, maxLength: 256)
        for b in p.utf8 where b == 0x3C || b == 0x3E || b == 0x20 {
            throw .forbiddenCharacter(field: field, byte: b)
        }
    }

    /// RFC 4422 §3.1: mechanism names are 1–20 characters of A–Z, 0–9, '-' and '_'.
    static func checkMechanism(_ m: String) throws(CommandEncodingError) {
        try WireText.checkField(m, "SASL mechanism", maxLength: 20)
        for b in m.utf8 {
            let ok = (b >= 0x41 && b <= 0x5A) || WireText.isDigit(b) || b == 0x2D || b == 0x5F
            if !ok { throw .forbiddenCharacter(field: "SASL mechanism", byte: b) }
        }
    }
}
