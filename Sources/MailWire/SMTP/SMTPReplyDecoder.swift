import NIOCore

/// Decodes SMTP replies, multi-line included, from a byte stream.
///
/// RFC 5321 §4.2:
/// ```
/// Reply-line = *( Reply-code "-" [ textstring ] CRLF )
///              Reply-code [ SP textstring ] CRLF
/// Reply-code = %x32-35 %x30-35 %x30-39
/// ```
/// Every line is kept. Bounded: a line over `limits.maxLineLength` or a reply over
/// `limits.maxResponseBytes` throws, so an endless `250-` stream ends the session.
public struct SMTPReplyDecoder: NIOSingleStepByteToMessageDecoder {
    public typealias InboundOut = SMTPReply

    public let limits: MailWireLimits
    private var pendingCode: Int?
    private var pendingLines: [String] = []
    private var pendingBytes = 0

    public init(limits: MailWireLimits = .default) {
        self.limits = limits
    }

    public mutating func decode(buffer: inout ByteBuffer) throws -> SMTPReply? {
        while true {
            let before = buffer.readableBytes
            guard let line = try WireText.readLine(&buffer, maxLength: limits.maxLineLength) else {
                if pendingBytes + buffer.readableBytes > limits.maxResponseBytes {
                    throw MailWireDecodingError.responseTooLarge(limit: limits.maxResponseBytes)
                }
                return nil
            }
            pendingBytes += before - buffer.readableBytes
            if pendingBytes > limits.maxResponseBytes {
                throw MailWireDecodingError.responseTooLarge(limit: limits.maxResponseBytes)
            }
            let (code, isLast, text) = try Self.parseLine(line)
            if let pendingCode, pendingCode != code {
                // RFC 5321 §4.2.1: every line of a multi-line reply carries the same code.
                throw MailWireDecodingError.malformed("reply code changed inside a multi-line reply", line)
            }
            pendingCode = code
            pendingLines.append(text)
            if isLast {
                let enhanced = EnhancedStatusCode.prefix(of: pendingLines[0])?.code
                let reply = SMTPReply(code: code, enhancedCode: enhanced, lines: pendingLines)
                pendingCode = nil
                pendingLines = []
                pendingBytes = 0
                return reply
            }
        }
    }

    public mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> SMTPReply? {
        if let reply = try decode(buffer: &buffer) { return reply }
        if buffer.readableBytes > 0 || pendingCode != nil {
            throw MailWireDecodingError.truncated(bufferedBytes: buffer.readableBytes + pendingBytes)
        }
        return nil
    }

    /// One reply line: code, whether it is the last line, and its text.
    static func parseLine(_ line: [UInt8]) throws(MailWireDecodingError) -> (Int, Bool, String) {
        guard line.count >= 3, line[0] >= 0x32, line[0] <= 0x35,
              WireText.isDigit(line[1]), WireText.isDigit(line[2]) else {
            throw .malformed("not an SMTP reply line (RFC 5321 §4.2)", line)
        }
        let code = Int(line[0] - 0x30) * 100 + Int(line[1] - 0x30) * 10 + Int(line[2] - 0x30)
        if line.count == 3 { return (code, true, "") }
        switch line[3] {
        case 0x2D: return (code, false, WireText.string(line[4...]))  // "-": more lines follow
        case 0x20: return (code, true, WireText.string(line[4...]))
        default: throw .malformed("reply code not followed by space or hyphen (RFC 5321 §4.2)", line)
        }
    }
}
