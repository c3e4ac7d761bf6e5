import Foundation

/// Builds test messages and puts them on the wire the way RFC 5321 wants.
public enum MessageText {
    /// RFC 5321 §4.5.2 (transparency): a line that starts with "." gets one more; §2.3.8: lines end
    /// in CRLF, so bare LF and bare CR become CRLF. The result ends with the `CRLF.CRLF` that
    /// closes DATA (§4.1.1.4).
    public static func dotStuffed(_ message: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(message.count + message.count / 40 + 8)
        var atLineStart = true
        var i = 0
        while i < message.count {
            let b = message[i]
            if b == 0x0D || b == 0x0A {
                out += [0x0D, 0x0A]
                if b == 0x0D, i + 1 < message.count, message[i + 1] == 0x0A { i += 1 }
                atLineStart = true
            } else {
                if atLineStart && b == 0x2E { out.append(0x2E) }
                out.append(b)
                atLineStart = false
            }
            i += 1
        }
        if !atLineStart { out += [0x0D, 0x0A] }
        return out + [0x2E, 0x0D, 0x0A]
    }

    /// Why a header given on the command line cannot be used.
    public struct HeaderError: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// RFC 5322 §2.2: `field-name ":" unstructured`; field names are printable ASCII except ":".
    /// CR and LF are refused so no header can smuggle another one (or end the header section).
    public static func checkHeader(_ line: String) throws(HeaderError) -> (name: String, value: String) {
        guard let colon = line.firstIndex(of: ":") else { throw HeaderError(description: "header '\(line.prefix(60))' is not 'Name: value'") }
        let name = String(line[..<colon])
        let value = String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, name.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != 0x3A }) else {
            throw HeaderError(description: "header name '\(name.prefix(60))' must be printable ASCII without spaces (RFC 5322 §2.2)")
        }
        guard !value.unicodeScalars.contains(where: { $0.value < 0x20 && $0.value != 0x09 || $0.value == 0x7F }) else {
            throw HeaderError(description: "header '\(name)' contains a control character (CR, LF …)")
        }
        return (name, value)
    }

    /// A small message: Date, From, To, Subject, Message-ID, the extra headers, then `body`.
    /// Header values must have passed `checkHeader`; the body may hold any text.
    public static func build(from: String, to: [String], subject: String, extraHeaders: [(String, String)] = [],
                             body: String, date: Date = Date(), messageIDDomain: String = "mxray.invalid") -> [UInt8] {
        var lines: [String] = [
            "Date: " + rfc5322Date(date),
            "From: <\(from)>",
            "To: " + to.map { "<\($0)>" }.joined(separator: ", "),
            "Subject: \(subject)",
            "Message-ID: <\(UUID().uuidString.lowercased())@\(messageIDDomain)>",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8",
        ]
        for (n, v) in extraHeaders { lines.append("\(n): \(v)") }
        var text = lines.joined(separator: "\r\n") + "\r\n\r\n" + body
        if !text.hasSuffix("\n") { text += "\r\n" }
        return Array(text.utf8)
    }

    /// RFC 5322 §3.3: `Sun, 29 Nov 2026 19:05:00 +0000`.
    public static func rfc5322Date(_ date: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        return f.string(from: date)
    }
}

/// The industry's harmless test strings for content filters. Both are assembled at run time
/// from pieces, so no file of this repository matches a scanner's signature.
public enum FilterTestString: String, Sendable, Codable, CaseIterable {
    /// Generic Test for Unsolicited Bulk Email (SpamAssassin, rspamd and most spam filters).
    case gtube
    /// The EICAR anti-virus test file (ClamAV and every mainstream scanner).
    case eicar

    public var text: String {
        switch self {
        case .gtube:
            return ["XJS*C4JDBQADN1.NSBN3*2IDNEN*", "GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL", "*C.34X"].joined()
        case .eicar:
            // 68 octets; scanners match it at the start of a file or of a MIME part.
            let head = ["X5O!P%@AP[4", "\\PZX54(P^)7CC)7}$"].joined()
            return head + ["EICAR-STANDARD-", "ANTIVIRUS-TEST-FILE!", "$H+H*"].joined()
        }
    }

    /// The body of the test message. EICAR goes in its own MIME part (an attachment), where
    /// scanners look for it; GTUBE in the plain text body, where spam filters look.
    public func message(from: String, to: [String], token: String, date: Date = Date()) -> [UInt8] {
        switch self {
        case .gtube:
            return MessageText.build(from: from, to: to, subject: "mxray GTUBE test \(token)",
                                     extraHeaders: [("X-MXRay-Token", token)],
                                     body: "This is the GTUBE spam-filter test message sent by mxray.\r\n\r\n\(text)\r\n", date: date)
        case .eicar:
            let boundary = "mxray-\(token)"
            var m = MessageText.build(from: from, to: to, subject: "mxray EICAR test \(token)",
                                      extraHeaders: [("X-MXRay-Token", token)], body: "", date: date)
            // Replace the single-part Content-Type with a multipart one.
            var s = String(decoding: m, as: UTF8.self)
            s = s.replacingOccurrences(of: "Content-Type: text/plain; charset=utf-8",
                                       with: "Content-Type: multipart/mixed; boundary=\"\(boundary)\"")
            s += "--\(boundary)\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
            s += "This message carries the EICAR anti-virus test file, sent by mxray.\r\n"
            s += "--\(boundary)\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"eicar.com\"\r\n\r\n"
            s += text + "\r\n--\(boundary)--\r\n"
            m = Array(s.utf8)
            return m
        }
    }
}
