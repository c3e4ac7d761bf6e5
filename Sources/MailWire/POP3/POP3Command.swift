/// POP3 commands the probes send (RFC 1939 §5–7, RFC 2449, RFC 2595, RFC 5034). Arguments
/// with CR, LF or NUL are refused.
public enum POP3Command: Sendable, Equatable {
    case capa
    case stls
    case user(String)
    /// RFC 1939 §7: the password is a secret.
    case pass(String)
    case auth(mechanism: String, initialResponse: String?)
    case saslResponse(String)
    case stat
    case noop
    case quit

    /// Whether a positive answer is multi-line (the decoder must be told before reading it).
    public var expectsMultiLine: Bool { self == .capa }

    public func encoded() throws(CommandEncodingError) -> EncodedCommand {
        switch self {
        case .capa: return EncodedCommand(line: "CAPA")
        case .stls: return EncodedCommand(line: "STLS")
        case .stat: return EncodedCommand(line: "STAT")
        case .noop: return EncodedCommand(line: "NOOP")
        case .quit: return EncodedCommand(line: "QUIT")
        case .user(let u):
            // RFC 1939 §7: arguments are separated by single spaces, so none inside.
            try WireText.checkField(u, "user name", maxLength: 255)
            if u.contains(" ") { throw .forbiddenCharacter(field: "user name", byte: 0x20) }
            return EncodedCommand(line: "USER \(u)")
        case .pass(let p):
            try WireText.checkField(p, "password", allowEmpty: true, maxLength: 255)
            return EncodedCommand(line: "PASS \(p)", redactedAs: "PASS <redacted>")
        case .auth(let m, let initial):
            try SMTPCommand.checkMechanism(m)
            guard let initial else { return EncodedCommand(line: "AUTH \(m)") }
            try WireText.checkField(initial, "initial response", allowEmpty: true, maxLength: 12288)
            return EncodedCommand(line: "AUTH \(m) \(initial.isEmpty ? "=" : initial)", redactedAs: "AUTH \(m) <redacted>")
        case .saslResponse(let r):
            try WireText.checkField(r, "SASL response", allowEmpty: true, maxLength: 12288)
            return EncodedCommand(line: r, redactedAs: "<redacted>")
        }
    }
}
