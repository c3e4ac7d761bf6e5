/// IMAP commands the probes send (RFC 9051 §6), each with its tag. Strings go out as quoted
/// strings (RFC 9051 §4.3: `quoted = DQUOTE *QUOTED-CHAR DQUOTE`, where CR, LF and NUL can never
/// appear); a field containing them is refused rather than sent.
public enum IMAPCommand: Sendable, Equatable {
    case capability
    case noop
    case logout
    case startTLS
    /// RFC 9051 §6.2.3: the password is a secret.
    case login(user: String, password: String)
    /// RFC 9051 §6.2.2, with the initial response of RFC 4959 when given (a secret).
    case authenticate(mechanism: String, initialResponse: String?)
    case list(reference: String, pattern: String)
    case select(String)
    case examine(String)
    /// `FETCH <set> <items>`; items are ours (fixed strings), the set a number or `*`.
    case fetch(sequence: String, items: String)
    /// One SASL continuation line (untagged), a secret.
    case saslResponse(String)

    public func encoded(tag: String) throws(CommandEncodingError) -> EncodedCommand {
        try WireText.checkField(tag, "tag", maxLength: 32)
        for b in tag.utf8 where !IMAPResponseDecoder.isTagChar(b) {
            throw .forbiddenCharacter(field: "tag", byte: b)
        }
        switch self {
        case .capability: return EncodedCommand(line: "\(tag) CAPABILITY")
        case .noop: return EncodedCommand(line: "\(tag) NOOP")
        case .logout: return EncodedCommand(line: "\(tag) LOGOUT")
        case .startTLS: return EncodedCommand(line: "\(tag) STARTTLS")
        case .login(let u, let p):
            let qu = try Self.quoted(u, "user name"), qp = try Self.quoted(p, "password")
            return EncodedCommand(line: "\(tag) LOGIN \(qu) \(qp)", redactedAs: "\(tag) LOGIN <redacted>")
        case .authenticate(let m, let initial):
            try SMTPCommand.checkMechanism(m)
            guard let initial else { return EncodedCommand(line: "\(tag) AUTHENTICATE \(m)") }
            try WireText.checkField(initial, "initial response", allowEmpty: true, maxLength: 12288)
            let ir = initial.isEmpty ? "=" : initial  // RFC 4959 §3: "=" is an empty initial response
            return EncodedCommand(line: "\(tag) AUTHENTICATE \(m) \(ir)", redactedAs: "\(tag) AUTHENTICATE \(m) <redacted>")
        case .list(let r, let p):
            return EncodedCommand(line: "\(tag) LIST \(try Self.quoted(r, "reference")) \(try Self.quoted(p, "pattern"))")
        case .select(let m): return EncodedCommand(line: "\(tag) SELECT \(try Self.quoted(m, "mailbox"))")
        case .examine(let m): return EncodedCommand(line: "\(tag) EXAMINE \(try Self.quoted(m, "mailbox"))")
        case .fetch(let set, let items):
            try WireText.checkField(set, "sequence set", maxLength: 64)
            guard set.utf8.allSatisfy({ WireText.isDigit($0) || $0 == 0x2A || $0 == 0x3A || $0 == 0x2C }) else {
                throw .forbiddenCharacter(field: "sequence set", byte: set.utf8.first { !WireText.isDigit($0) } ?? 0)
            }
            try WireText.checkField(items, "fetch items", maxLength: 256)
            return EncodedCommand(line: "\(tag) FETCH \(set) \(items)")
        case .saslResponse(let r):
            try WireText.checkField(r, "SASL response", allowEmpty: true, maxLength: 12288)
            return EncodedCommand(line: r, redactedAs: "<redacted>")
        }
    }

    /// RFC 9051 §4.3: `"` and `\` are escaped; CR, LF and NUL refused.
    public static func quoted(_ s: String, _ field: String) throws(CommandEncodingError) -> String {
        try WireText.checkField(s, field, allowEmpty: true, maxLength: 1024)
        var out = "\""
        for c in s {
            if c == "\"" || c == "\\" { out.append("\\") }
            out.append(c)
        }
        return out + "\""
    }
}

/// Tags `a1`, `a2`, … for one session.
public struct IMAPTagGenerator: Sendable {
    private var next = 1
    public init() {}
    public mutating func make() -> String {
        defer { next += 1 }
        return "a\(next)"
    }
}
