import NIOCore

/// Decodes IMAP responses from a byte stream, literals included (RFC 9051 §4.3, §7).
///
/// ```
/// literal = "{" number64 ["+"] "}" CRLF *CHAR8   ; the line goes on after the literal
/// ```
/// Bounded: each line by `limits.maxLineLength`, each literal by `limits.maxLiteral` (checked
/// when it is announced, before any of it is buffered) and each response by `maxResponseBytes`.
public struct IMAPResponseDecoder: NIOSingleStepByteToMessageDecoder {
    public typealias InboundOut = IMAPResponse

    public let limits: MailWireLimits
    private var text: [UInt8] = []
    private var literals: [[UInt8]] = []
    private var pendingLiteral: Int?
    private var consumed = 0

    public init(limits: MailWireLimits = .default) {
        self.limits = limits
    }

    public mutating func decode(buffer: inout ByteBuffer) throws -> IMAPResponse? {
        while true {
            if let n = pendingLiteral {
                guard buffer.readableBytes >= n else { return nil }
                literals.append(buffer.readBytes(length: n)!)
                consumed += n
                pendingLiteral = nil
                continue
            }
            let before = buffer.readableBytes
            guard let line = try WireText.readLine(&buffer, maxLength: limits.maxLineLength) else {
                if consumed + buffer.readableBytes > limits.maxResponseBytes {
                    throw MailWireDecodingError.responseTooLarge(limit: limits.maxResponseBytes)
                }
                return nil
            }
            consumed += before - buffer.readableBytes
            if consumed > limits.maxResponseBytes {
                throw MailWireDecodingError.responseTooLarge(limit: limits.maxResponseBytes)
            }
            text += line
            if let n = try Self.literalLength(atEndOf: line) {
                guard n <= limits.maxLiteral else {
                    throw MailWireDecodingError.literalTooLarge(announced: n, limit: limits.maxLiteral)
                }
                guard consumed + n <= limits.maxResponseBytes else {
                    throw MailWireDecodingError.responseTooLarge(limit: limits.maxResponseBytes)
                }
                pendingLiteral = n
                continue
            }
            let response = try Self.parse(text, literals: literals)
            text = []
            literals = []
            consumed = 0
            return response
        }
    }

    public mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> IMAPResponse? {
        if let r = try decode(buffer: &buffer) { return r }
        if buffer.readableBytes > 0 || !text.isEmpty || pendingLiteral != nil {
            throw MailWireDecodingError.truncated(bufferedBytes: buffer.readableBytes + consumed)
        }
        return nil
    }

    /// `… {123}` or `… {123+}` or `~{123}` at the end of a line: the literal's length.
    static func literalLength(atEndOf line: [UInt8]) throws(MailWireDecodingError) -> Int? {
        guard line.last == 0x7D, let open = line.lastIndex(of: 0x7B) else { return nil }  // '}' '{'
        var digits = line[(open + 1)..<(line.count - 1)]
        if digits.last == 0x2B { digits = digits.dropLast() }  // '+' (LITERAL+, RFC 7888)
        guard !digits.isEmpty, digits.allSatisfy(WireText.isDigit) else { return nil }
        guard digits.count <= 10 else { throw .literalTooLarge(announced: Int.max, limit: 0) }
        return digits.reduce(0) { $0 * 10 + Int($1 - 0x30) }
    }

    /// Splits the tag from the rest (RFC 9051 §9: `tag = 1*<any ASTRING-CHAR except "+">`).
    static func parse(_ line: [UInt8], literals: [[UInt8]]) throws(MailWireDecodingError) -> IMAPResponse {
        let space = line.firstIndex(of: 0x20) ?? line.count
        let first = line[..<space]
        let rest = space < line.count ? WireText.string(line[(space + 1)...]) : ""
        if first.elementsEqual([0x2A]) { // '*'
            guard !rest.isEmpty else { throw .malformed("untagged response without data (RFC 9051 §7)", line) }
            return IMAPResponse(kind: .untagged, text: rest, literals: literals)
        }
        if first.elementsEqual([0x2B]) { // '+'
            return IMAPResponse(kind: .continuation, text: rest, literals: literals)
        }
        guard !first.isEmpty, first.allSatisfy(isTagChar), !rest.isEmpty else {
            throw .malformed("not an IMAP response (RFC 9051 §7)", line)
        }
        return IMAPResponse(kind: .tagged(WireText.string(first)), text: rest, literals: literals)
    }

    /// ASTRING-CHAR minus '+': CHAR except atom-specials, plus ']' (RFC 9051 §9).
    static func isTagChar(_ b: UInt8) -> Bool {
        guard b > 0x20, b < 0x7F else { return false }
        switch b {
        case 0x28, 0x29, 0x7B, 0x25, 0x2A, 0x22, 0x5C, 0x2B: return false  // ( ) { % * " \ +
        default: return true
        }
    }
}
