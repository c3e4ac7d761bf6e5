/// The header block of an RFC 5322 message, parsed from raw bytes: every field in order (top
/// first, as it appears in the message), unfolded for reading and raw for signature checks, plus
/// where the body starts.
///
/// This is the entry point for reading a delivered message:
/// ```swift
/// let header = try MessageHeader.parse(bytes)            // throws MessageParseError
/// for hop in header.receivedChain { … }                  // [ReceivedHeader], top (newest) first
/// for ar in header.authenticationResults { … }           // [AuthenticationResults] (RFC 8601)
/// header["Subject"]?.value                               // first field of that name, unfolded
/// ```
/// `ReceivedHeader.parse(_:)` and `AuthenticationResults.parse(_:)` also work on a single value.
///
/// Bounded: the header block may be at most `Limits.maxHeaderBytes` (1 MiB) and hold at most
/// `Limits.maxFields` (2 000) fields; beyond that `parse` throws instead of reading on. Lines that
/// are neither a field nor a continuation are kept in `problems`, not silently dropped. Bare LF
/// line ends are accepted as CRLF (mailbox files store them that way).
public struct MessageHeader: Sendable, Hashable {
    /// One header field (RFC 5322 §2.2).
    public struct Field: Sendable, Hashable, Codable {
        /// The field name as written (case kept; compare case-insensitively).
        public let name: String
        /// The body unfolded (RFC 5322 §2.2.3: CRLF before WSP removed), leading/trailing WSP trimmed.
        public let value: String
        /// The whole field as written, `Name: value` with folding CRLFs, without the final CRLF.
        public let raw: String
        /// 0-based position among the fields (0 = topmost).
        public let index: Int
        /// 1-based line number in the input where the field starts.
        public let line: Int
    }

    public struct Limits: Sendable, Hashable {
        public var maxHeaderBytes: Int
        public var maxFields: Int
        public init(maxHeaderBytes: Int = 1 << 20, maxFields: Int = 2_000) {
            self.maxHeaderBytes = maxHeaderBytes; self.maxFields = maxFields
        }
        public static let `default` = Limits()
    }

    public var fields: [Field]
    /// Byte offset of the body in the input (after the empty line); nil when the input has no
    /// empty line (a header block only, as pasted from a mail client's "show original").
    public var bodyOffset: Int?
    /// What did not parse, one line each (`line 7: "garbage" is not a header field`).
    public var problems: [String]

    public init(fields: [Field], bodyOffset: Int?, problems: [String] = []) {
        self.fields = fields; self.bodyOffset = bodyOffset; self.problems = problems
    }

    /// Every field called `name` (case-insensitive), top first.
    public func fields(named name: String) -> [Field] {
        let n = name.lowercased()
        return fields.filter { $0.name.lowercased() == n }
    }

    /// The first (topmost) field called `name`.
    public subscript(_ name: String) -> Field? {
        let n = name.lowercased()
        return fields.first { $0.name.lowercased() == n }
    }

    /// Every Received field parsed, top first: the newest hop first (RFC 5321 §4.4: each relay
    /// prepends its own). Reverse it for the path in travel order.
    public var receivedChain: [ReceivedHeader] { fields(named: "Received").map { ReceivedHeader.parse($0.value) } }

    /// Every Authentication-Results field that parses (RFC 8601), top first. Use
    /// `authenticationResultsFields` to see those that do not, with the error.
    public var authenticationResults: [AuthenticationResults] {
        fields(named: "Authentication-Results").compactMap { try? AuthenticationResults.parse($0.value) }
    }

    /// Every Authentication-Results field with its parse outcome, top first.
    public var authenticationResultsFields: [(field: Field, parsed: Result<AuthenticationResults, AuthResultsParseError>)] {
        fields(named: "Authentication-Results").map { f in
            (f, Result { () throws(AuthResultsParseError) in try AuthenticationResults.parse(f.value) })
        }
    }

    /// The Date field, parsed (RFC 5322 §3.6.1); nil when missing or unreadable.
    public var date: MailDate? { self["Date"].flatMap { try? MailDate.parse($0.value) } }
}

/// Why a message's header block could not be read.
public struct MessageParseError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable, Codable { case empty, headerTooLarge, tooManyFields, noFields }
    public let kind: Kind
    public let message: String
    public var description: String { message }
}

extension MessageHeader {
    /// Parses the header block of `bytes` (RFC 5322 §2.1: fields, then an empty line, then the body).
    public static func parse(_ bytes: [UInt8], limits: Limits = .default) throws(MessageParseError) -> MessageHeader {
        guard !bytes.isEmpty else { throw MessageParseError(kind: .empty, message: "the message is empty") }
        var fields: [Field] = []
        var problems: [String] = []
        var bodyOffset: Int?
        var current: (start: Int, end: Int, line: Int)?  // byte range of the field being read, lines joined
        var lineNumber = 0
        var i = 0
        var rawLines: [(Int, Int)] = []  // line ranges (without line end) of the current field

        func flush() throws(MessageParseError) {
            guard current != nil else { return }
            guard fields.count < limits.maxFields else {
                throw MessageParseError(kind: .tooManyFields, message: "the header has more than \(limits.maxFields) fields")
            }
            fields.append(makeField(bytes, rawLines, index: fields.count, line: current!.line))
            current = nil
            rawLines = []
        }

        while i < bytes.count {
            // One line: [i, lineEnd) without CR LF; next starts after LF (or at the end).
            var lineEnd = i
            while lineEnd < bytes.count && bytes[lineEnd] != 0x0A { lineEnd += 1 }
            let next = lineEnd < bytes.count ? lineEnd + 1 : lineEnd
            var contentEnd = lineEnd
            if contentEnd > i && bytes[contentEnd - 1] == 0x0D { contentEnd -= 1 }
            lineNumber += 1
            guard next <= limits.maxHeaderBytes || contentEnd == i else {
                throw MessageParseError(kind: .headerTooLarge, message: "the header block is longer than \(limits.maxHeaderBytes) bytes")
            }
            if contentEnd == i {
                // RFC 5322 §2.1: the empty line ends the header.
                if lineEnd < bytes.count || contentEnd < lineEnd { bodyOffset = next }
                break
            }
            let first = bytes[i]
            if first == 0x20 || first == 0x09 {
                // RFC 5322 §2.2.3: a line starting with WSP continues the field above.
                if current != nil { rawLines.append((i, contentEnd)); current!.end = contentEnd } else {
                    problems.append("line \(lineNumber): continuation line before any field")
                }
            } else if lineNumber == 1, contentEnd - i >= 5, Array(bytes[i..<i + 5]) == Array("From ".utf8) {
                problems.append("line 1: mbox \"From \" separator line skipped")
            } else if fieldColon(bytes, i, contentEnd) != nil {
                try flush()
                current = (i, contentEnd, lineNumber)
                rawLines = [(i, contentEnd)]
            } else {
                try flush()
                let text = String(decoding: bytes[i..<min(contentEnd, i + 60)], as: UTF8.self)
                problems.append("line \(lineNumber): \"\(text)\" is not a header field (RFC 5322 §2.2)")
            }
            i = next
        }
        try flush()
        guard !fields.isEmpty else {
            throw MessageParseError(kind: .noFields, message: "no header fields found (is this a message in RFC 5322 format?)")
        }
        return MessageHeader(fields: fields, bodyOffset: bodyOffset, problems: problems)
    }

    /// RFC 5322 §2.2 / §3.6.8: field-name = 1*ftext (printable US-ASCII except ":"), then ":";
    /// RFC 5322 §4.5 (obsolete) allows WSP between the name and the colon.
    static func fieldColon(_ b: [UInt8], _ start: Int, _ end: Int) -> Int? {
        var j = start
        while j < end, b[j] >= 33, b[j] <= 126, b[j] != 0x3A { j += 1 }
        guard j > start else { return nil }
        while j < end, b[j] == 0x20 || b[j] == 0x09 { j += 1 }
        return j < end && b[j] == 0x3A ? j : nil
    }

    static func makeField(_ b: [UInt8], _ lines: [(Int, Int)], index: Int, line: Int) -> Field {
        var raw: [UInt8] = []
        var unfolded: [UInt8] = []
        for (k, (s, e)) in lines.enumerated() {
            if k > 0 { raw += [0x0D, 0x0A] }
            raw += b[s..<e]
            unfolded += b[s..<e]
        }
        let colon = fieldColon(unfolded, 0, unfolded.count) ?? 0
        var nameEnd = colon
        while nameEnd > 0, unfolded[nameEnd - 1] == 0x20 || unfolded[nameEnd - 1] == 0x09 { nameEnd -= 1 }
        var vs = colon + 1, ve = unfolded.count
        while vs < ve, unfolded[vs] == 0x20 || unfolded[vs] == 0x09 { vs += 1 }
        while ve > vs, unfolded[ve - 1] == 0x20 || unfolded[ve - 1] == 0x09 { ve -= 1 }
        return Field(name: String(decoding: unfolded[0..<nameEnd], as: UTF8.self),
                     value: String(decoding: unfolded[vs..<ve], as: UTF8.self),
                     raw: String(decoding: raw, as: UTF8.self), index: index, line: line)
    }
}
