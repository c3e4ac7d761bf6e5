import DNSWire
import MailCore

/// The `_mta-sts` TXT record (RFC 8461 §3.1): `v=STSv1; id=<1–32 alphanumerics>`.
public struct MTASTSRecord: Sendable, Hashable {
    public let id: String
    public let tags: TagList

    public struct SyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
        public let position: Int
        public let message: String
        public var description: String { "at character \(position + 1): \(message)" }
    }

    static func isSTS(_ text: String) -> Bool { text.hasPrefix("v=STSv1") }

    public static func parse(_ text: String) throws(SyntaxError) -> MTASTSRecord {
        let tags: TagList
        do { tags = try TagList.parse(text, lowercaseNames: false) } catch { throw SyntaxError(position: error.position, message: error.message) }
        guard let v = tags.tags.first, v.name == "v", v.value == "STSv1" else {
            throw SyntaxError(position: 0, message: "the record must start with \"v=STSv1\" (RFC 8461 §3.1)")
        }
        guard let id = tags.tag("id") else { throw SyntaxError(position: text.count, message: "the required \"id=\" is missing (RFC 8461 §3.1)") }
        guard (1...32).contains(id.value.count), id.value.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
            throw SyntaxError(position: id.position, message: "id \"\(id.value)\" must be 1–32 letters and digits (RFC 8461 §3.1)")
        }
        return MTASTSRecord(id: id.value, tags: tags)
    }
}

/// An MTA-STS policy file (RFC 8461 §3.2).
public struct MTASTSPolicy: Sendable, Hashable {
    public enum Mode: String, Sendable, Hashable, Codable { case enforce, testing, none }
    public var mode: Mode
    /// MX patterns: `mx1.example.com` or `*.example.com` (one leftmost wildcard label).
    public var mx: [String]
    public var maxAge: Int

    public init(mode: Mode, mx: [String], maxAge: Int) { self.mode = mode; self.mx = mx; self.maxAge = maxAge }

    public struct SyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
        public let line: Int
        public let message: String
        public var description: String { "line \(line): \(message)" }
    }

    /// RFC 8461 §3.2: key/value lines separated by CRLF (LF accepted); version, mode and max_age
    /// required; mx required unless mode is none; max_age at most 31557600. Bounded: 64 KiB.
    public static func parse(_ text: String) throws(SyntaxError) -> MTASTSPolicy {
        guard text.utf8.count <= 65_536 else { throw SyntaxError(line: 0, message: "policy larger than 64 KiB (RFC 8461 §3.3)") }
        var version: String?, mode: Mode?, maxAge: Int?
        var mx: [String] = []
        var seen: Set<String> = []
        for (n, rawLine) in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).enumerated() {
            var line = Substring(rawLine)
            if line.hasSuffix("\r") { line = line.dropLast() }
            if line.trimmingSpaces().isEmpty { continue }
            guard let colon = line.firstIndex(of: ":") else {
                throw SyntaxError(line: n + 1, message: "\"\(line.prefix(40))\" is not key: value")
            }
            let key = line[..<colon].trimmingSpaces()
            let value = line[line.index(after: colon)...].trimmingSpaces()
            if key != "mx" {
                guard seen.insert(key).inserted else { throw SyntaxError(line: n + 1, message: "\"\(key)\" appears twice") }
            }
            switch key {
            case "version":
                guard value == "STSv1" else { throw SyntaxError(line: n + 1, message: "version must be STSv1") }
                version = value
            case "mode":
                guard let m = Mode(rawValue: value) else { throw SyntaxError(line: n + 1, message: "mode \"\(value)\" is not enforce, testing or none") }
                mode = m
            case "max_age":
                guard !value.isEmpty, value.count <= 10, value.allSatisfy({ $0.isASCII && $0.isNumber }), let a = Int(value), a <= 31_557_600 else {
                    throw SyntaxError(line: n + 1, message: "max_age \"\(value)\" is not a number of seconds up to 31557600")
                }
                maxAge = a
            case "mx":
                guard isPattern(value) else { throw SyntaxError(line: n + 1, message: "mx \"\(value)\" is not a host name or *.domain pattern") }
                mx.append(value.lowercased())
            default:
                continue  // RFC 8461 §3.2: unknown keys are ignored.
            }
        }
        guard version != nil else { throw SyntaxError(line: 0, message: "the version field is missing") }
        guard let mode else { throw SyntaxError(line: 0, message: "the mode field is missing") }
        guard let maxAge else { throw SyntaxError(line: 0, message: "the max_age field is missing") }
        if mode != .none && mx.isEmpty { throw SyntaxError(line: 0, message: "no mx field (required unless mode is none)") }
        return MTASTSPolicy(mode: mode, mx: mx, maxAge: maxAge)
    }

    static func isPattern(_ v: String) -> Bool {
        var name = Substring(v)
        if name.hasPrefix("*.") { name = name.dropFirst(2) }
        let labels = name.split(separator: ".", omittingEmptySubsequences: false)
        return labels.count >= 2 && labels.allSatisfy { l in
            !l.isEmpty && l.count <= 63 && l.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
        }
    }

    /// RFC 8461 §4.1: exact match, or `*.` matching exactly one leftmost label.
    public func covers(_ host: DomainName) -> Bool {
        let h = host.description.lowercased()
        return mx.contains { p in
            if p.hasPrefix("*.") {
                let suffix = String(p.dropFirst(1))
                guard h.hasSuffix(suffix) else { return false }
                let left = h.dropLast(suffix.count)
                return !left.isEmpty && !left.contains(".")
            }
            return p == h
        }
    }
}

/// What fetching a policy gave (RFC 8461 §3.3): the HTTP status, the body, or what went wrong.
public struct MTASTSFetchResult: Sendable, Hashable {
    public var url: String
    public var status: Int?
    public var contentType: String?
    public var body: [UInt8]
    /// TLS, DNS, connection, redirect, size or timeout problem, in words.
    public var error: String?
    public var elapsedMilliseconds: Int?

    public init(url: String, status: Int? = nil, contentType: String? = nil, body: [UInt8] = [], error: String? = nil,
                elapsedMilliseconds: Int? = nil) {
        self.url = url; self.status = status; self.contentType = contentType; self.body = body; self.error = error
        self.elapsedMilliseconds = elapsedMilliseconds
    }
}

/// Fetches `https://mta-sts.<domain>/.well-known/mta-sts.txt`. The real one lives in Probes
/// (certificate validation, no redirects, 64 KiB cap, timeout); tests use fakes.
public protocol MTASTSPolicyFetcher: Sendable {
    func fetchPolicy(for domain: DomainName) async -> MTASTSFetchResult
}
