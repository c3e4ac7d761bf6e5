/// One SMTP reply, every line kept (RFC 5321 §4.2).
public struct SMTPReply: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The three-digit reply code (RFC 5321 §4.2.1).
    public let code: Int
    /// Enhanced status code from the first line, when the server sends them (RFC 3463, RFC 2034).
    public let enhancedCode: EnhancedStatusCode?
    /// The text of each line after the code and separator, in order; enhanced codes are kept in the text.
    public let lines: [String]

    public init(code: Int, enhancedCode: EnhancedStatusCode? = nil, lines: [String]) {
        self.code = code
        self.enhancedCode = enhancedCode
        self.lines = lines
    }

    /// RFC 5321 §4.2.1: the first digit says success (2), intermediate (3), transient (4), permanent (5).
    public var isPositive: Bool { (200..<400).contains(code) }
    public var isPositiveCompletion: Bool { (200..<300).contains(code) }
    public var isIntermediate: Bool { (300..<400).contains(code) }
    public var isTransientFailure: Bool { (400..<500).contains(code) }
    public var isPermanentFailure: Bool { (500..<600).contains(code) }

    /// The text of all lines, joined with spaces, without enhanced code prefixes.
    public var text: String {
        lines.map { line in
            guard enhancedCode != nil, let parsed = EnhancedStatusCode.prefix(of: line) else { return line }
            return String(line.dropFirst(parsed.length)).trimmingLeadingSpaces()
        }.joined(separator: " ")
    }

    /// Wire form (`250-a` … `250 z`), for transcripts.
    public var wireLines: [String] {
        lines.enumerated().map { i, l in "\(code)\(i == lines.count - 1 ? " " : "-")\(l)" }
    }

    public var description: String { wireLines.joined(separator: "\n") }
}

/// `class.subject.detail` (RFC 3463 §2): class 2, 4 or 5; subject 0–999; detail 0–999.
public struct EnhancedStatusCode: Sendable, Hashable, Codable, CustomStringConvertible {
    public let statusClass: Int
    public let subject: Int
    public let detail: Int

    public init(_ statusClass: Int, _ subject: Int, _ detail: Int) {
        self.statusClass = statusClass
        self.subject = subject
        self.detail = detail
    }

    public var description: String { "\(statusClass).\(subject).\(detail)" }

    /// Parses an enhanced code at the start of `text` (RFC 2034 §4: it follows the reply code and a space).
    public static func prefix(of text: String) -> (code: EnhancedStatusCode, length: Int)? {
        let u = Array(text.utf8.prefix(12))
        var i = 0
        func number(maxDigits: Int) -> Int? {
            var n = 0, digits = 0
            while i < u.count, WireText.isDigit(u[i]), digits < maxDigits {
                n = n * 10 + Int(u[i] - 0x30); i += 1; digits += 1
            }
            return digits == 0 ? nil : n
        }
        guard let c = number(maxDigits: 1), [2, 4, 5].contains(c), i < u.count, u[i] == 0x2E else { return nil }
        i += 1
        guard let s = number(maxDigits: 3), i < u.count, u[i] == 0x2E else { return nil }
        i += 1
        guard let d = number(maxDigits: 3) else { return nil }
        // Must end at a space or the end of the line.
        if i < u.count && u[i] != 0x20 { return nil }
        return (EnhancedStatusCode(c, s, d), i)
    }
}

extension String {
    func trimmingLeadingSpaces() -> String { String(drop(while: { $0 == " " })) }
}
