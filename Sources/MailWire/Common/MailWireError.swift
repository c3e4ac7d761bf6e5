import NIOCore

/// Why a reply decoder gave up. "Need more bytes" is not an error (the decoder returns nil);
/// these are the cases where the peer sent something we will not keep reading.
public enum MailWireDecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// One line grew past the limit without a line feed (RFC 5321 §4.5.3.1.5 allows 512 octets;
    /// we tolerate far more, but not without bound).
    case lineTooLong(limit: Int)
    /// One reply (all its lines, literals included) grew past the limit.
    case responseTooLarge(limit: Int)
    /// A literal announced more octets than we accept (RFC 9051 §4.3).
    case literalTooLarge(announced: Int, limit: Int)
    /// The bytes do not follow the grammar; `line` is the offending line, printable and truncated.
    case malformed(reason: String, line: String)
    /// The peer closed the connection in the middle of a reply.
    case truncated(bufferedBytes: Int)

    public var description: String {
        switch self {
        case .lineTooLong(let l): return "a line longer than \(l) octets without a line feed"
        case .responseTooLarge(let l): return "a reply larger than \(l) octets"
        case .literalTooLarge(let a, let l): return "a literal of \(a) octets (limit \(l))"
        case .malformed(let r, let line): return "\(r): \(line)"
        case .truncated(let n): return "connection closed in the middle of a reply (\(n) octets buffered)"
        }
    }

    static func malformed(_ reason: String, _ line: [UInt8]) -> MailWireDecodingError {
        .malformed(reason: reason, line: WireText.printable(line, limit: 200))
    }
}

/// Why a command could not be encoded. User input never reaches the wire unchecked.
public enum CommandEncodingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// CR, LF or NUL in a field: it would end the command early and inject another one
    /// (RFC 5321 §4.1.1 commands end at CRLF; RFC 9051 §4.3 quoted strings exclude CR/LF/NUL).
    case forbiddenCharacter(field: String, byte: UInt8)
    case emptyField(field: String)
    case tooLong(field: String, limit: Int)

    public var description: String {
        switch self {
        case .forbiddenCharacter(let f, let b):
            return "\(f) contains a forbidden control character (0x\(String(b, radix: 16, uppercase: true)))"
        case .emptyField(let f): return "\(f) is empty"
        case .tooLong(let f, let l): return "\(f) is longer than \(l) octets"
        }
    }
}

/// Limits every decoder applies: the numbers are the defaults.
public struct MailWireLimits: Sendable, Hashable, Codable {
    /// A line longer than this without LF ends the session.
    public var maxLineLength: Int
    /// A reply (multi-line SMTP, IMAP with literals, POP3 multi-line) larger than this ends it.
    public var maxResponseBytes: Int
    /// The largest literal accepted (IMAP).
    public var maxLiteral: Int

    public init(maxLineLength: Int = 64 * 1024, maxResponseBytes: Int = 1024 * 1024, maxLiteral: Int = 1024 * 1024) {
        self.maxLineLength = maxLineLength
        self.maxResponseBytes = maxResponseBytes
        self.maxLiteral = maxLiteral
    }

    public static let `default` = MailWireLimits()
}
