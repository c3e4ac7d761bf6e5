import NIOCore

/// Line framing and text helpers shared by the SMTP, IMAP and POP3 decoders.
public enum WireText {
    static let cr: UInt8 = 0x0D
    static let lf: UInt8 = 0x0A
    static let nul: UInt8 = 0x00

    /// Takes one line (without its CRLF, or a bare LF, which real servers send) from `buffer`.
    /// Returns nil when no complete line is buffered; throws when the partial line is already
    /// longer than `maxLength`, so a peer that never sends LF cannot grow memory without bound.
    public static func readLine(_ buffer: inout ByteBuffer, maxLength: Int) throws(MailWireDecodingError) -> [UInt8]? {
        let view = buffer.readableBytesView
        guard let lfIndex = view.firstIndex(of: lf) else {
            if view.count > maxLength { throw .lineTooLong(limit: maxLength) }
            return nil
        }
        let length = lfIndex - view.startIndex
        if length > maxLength + 1 { throw .lineTooLong(limit: maxLength) }
        var line = buffer.readBytes(length: length + 1)!
        line.removeLast()
        if line.last == cr { line.removeLast() }
        return line
    }

    /// Text of peer bytes for display: invalid UTF-8 is replaced, never trusted.
    public static func string(_ bytes: some Sequence<UInt8>) -> String {
        String(decoding: Array(bytes), as: UTF8.self)
    }

    /// Printable, truncated rendering for error messages (control characters escaped).
    public static func printable(_ bytes: [UInt8], limit: Int) -> String {
        var out = ""
        for b in bytes.prefix(limit) {
            switch b {
            case 0x20..<0x7F: out.unicodeScalars.append(Unicode.Scalar(b))
            default: out += "\\x" + (b < 16 ? "0" : "") + String(b, radix: 16, uppercase: true)
            }
        }
        if bytes.count > limit { out += "…" }
        return out
    }

    /// Checks a user-supplied field before it goes into a command.
    public static func checkField(_ value: String, _ field: String, allowEmpty: Bool = false,
                                  maxLength: Int = 4096) throws(CommandEncodingError) {
        if !allowEmpty && value.isEmpty { throw .emptyField(field: field) }
        for b in value.utf8 where b == cr || b == lf || b == nul {
            throw .forbiddenCharacter(field: field, byte: b)
        }
        if value.utf8.count > maxLength { throw .tooLong(field: field, limit: maxLength) }
    }

    static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

    /// Splits on runs of spaces; used for capability lists.
    static func words(_ s: Substring) -> [Substring] { s.split(separator: " ", omittingEmptySubsequences: true) }
}

/// A command ready for the wire, with the text a transcript may show.
public struct EncodedCommand: Sendable, Equatable {
    /// Exactly the bytes to write, CRLF included.
    public let bytes: [UInt8]
    /// What a transcript shows: the command itself, or only its verb when it carries a secret.
    public let transcriptText: String
    public let redacted: Bool

    public init(line: String, redactedAs prefix: String? = nil) {
        self.bytes = Array(line.utf8) + [WireText.cr, WireText.lf]
        self.transcriptText = prefix ?? line
        self.redacted = prefix != nil
    }

    public var text: String { WireText.string(bytes.dropLast(2)) }
}
