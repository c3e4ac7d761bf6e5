import NIOCore

/// Decodes POP3 responses (RFC 1939 §3). Whether a `+OK` starts a multi-line response depends
/// on the command, so the client says what it expects next with `expectMultiLine()` before
/// sending CAPA, LIST, TOP, RETR or UIDL; the setting applies to that one response.
///
/// Multi-line: lines up to a lone "." (CRLF "." CRLF); a line starting with "." has it removed
/// (byte-stuffing, RFC 1939 §3). Bounded like the other decoders.
public struct POP3ResponseDecoder: NIOSingleStepByteToMessageDecoder {
    public typealias InboundOut = POP3Response

    public let limits: MailWireLimits
    private var multiLineExpected = false
    private var first: (POP3Response.Status, String)?
    private var lines: [String] = []
    private var consumed = 0

    public init(limits: MailWireLimits = .default) {
        self.limits = limits
    }

    /// The next response is multi-line if it is positive.
    public mutating func expectMultiLine() { multiLineExpected = true }

    public mutating func decode(buffer: inout ByteBuffer) throws -> POP3Response? {
        while true {
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
            guard let (status, text) = first else {
                let parsed = try Self.parseStatus(line)
                if parsed.0 == .ok && multiLineExpected {
                    first = parsed
                    continue
                }
                return finish(parsed.0, parsed.1)
            }
            if line == [0x2E] { return finish(status, text) }  // lone "." ends it
            let unstuffed = line.first == 0x2E ? line.dropFirst() : line[...]
            lines.append(WireText.string(unstuffed))
        }
    }

    public mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> POP3Response? {
        if let r = try decode(buffer: &buffer) { return r }
        if buffer.readableBytes > 0 || first != nil {
            throw MailWireDecodingError.truncated(bufferedBytes: buffer.readableBytes + consumed)
        }
        return nil
    }

    private mutating func finish(_ status: POP3Response.Status, _ text: String) -> POP3Response {
        let r = POP3Response(status: status, text: text, lines: lines)
        first = nil
        lines = []
        consumed = 0
        multiLineExpected = false
        return r
    }

    /// `+OK text`, `-ERR text` (RFC 1939 §3) or `+ base64` (RFC 5034 §4). Case-insensitive, as
    /// servers vary; anything else is malformed.
    static func parseStatus(_ line: [UInt8]) throws(MailWireDecodingError) -> (POP3Response.Status, String) {
        func rest(after n: Int) -> String {
            guard line.count > n else { return "" }
            return WireText.string(line[n...]).trimmingLeadingSpaces()
        }
        let upper = line.prefix(4).map { $0 >= 0x61 && $0 <= 0x7A ? $0 - 0x20 : $0 }
        if upper.starts(with: Array("+OK".utf8)), line.count == 3 || line[3] == 0x20 { return (.ok, rest(after: 3)) }
        if upper.starts(with: Array("-ERR".utf8)), line.count == 4 || line[4] == 0x20 { return (.err, rest(after: 4)) }
        if line.first == 0x2B, line.count == 1 || line[1] == 0x20 { return (.continuation, rest(after: 1)) }
        throw .malformed("not a POP3 status line (RFC 1939 §3)", line)
    }
}
