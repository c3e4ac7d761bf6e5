import MailCore

/// Which DMARC specification rules apply: RFC 7489, or RFC 9989 (DMARCbis: `np`, `psd`, `t`, the
/// DNS tree walk instead of the Public Suffix List; `pct`, `rf`, `ri` removed).
public enum DMARCSpec: String, Sendable, Hashable, Codable { case rfc7489, rfc9989 }

public enum DMARCPolicy: String, Sendable, Hashable, Codable, Comparable {
    case none, quarantine, reject
    var rank: Int { switch self { case .none: 0; case .quarantine: 1; case .reject: 2 } }
    public static func < (l: DMARCPolicy, r: DMARCPolicy) -> Bool { l.rank < r.rank }
}

/// One problem in a DMARC record, with the offset of the tag it concerns.
public struct DMARCIssue: Sendable, Hashable, Codable, CustomStringConvertible {
    public enum Severity: String, Sendable, Hashable, Codable { case error, warning, info }
    public let severity: Severity
    public let tag: String?
    public let position: Int?
    public let message: String
    public let rfc: RFCRef
    public var description: String {
        (position.map { "at character \($0 + 1)" + (tag.map { " (\($0)=)" } ?? "") + ": " } ?? "") + message + " (\(rfc))"
    }
}

/// RFC 7489 §6.2 report URI: `mailto:addr[!size]` or another scheme.
public struct DMARCReportURI: Sendable, Hashable, Codable {
    public let uri: String
    public let scheme: String
    /// For mailto: the address's domain.
    public let mailDomain: String?
}

/// A parsed `v=DMARC1` record (RFC 7489 §6.3) with every problem found on the way. A record with
/// errors is still returned (so the report can show all of them); `isUsable` says whether a
/// receiver would apply it.
public struct DMARCRecord: Sendable, Hashable {
    public let text: String
    public let tags: TagList
    public var policy: DMARCPolicy?
    public var subdomainPolicy: DMARCPolicy?
    public var nonexistentPolicy: DMARCPolicy?
    public var percent: Int = 100
    public var strictDKIM = false
    public var strictSPF = false
    public var testing = false
    public var rua: [DMARCReportURI] = []
    public var ruf: [DMARCReportURI] = []
    public var issues: [DMARCIssue] = []

    public var errors: [DMARCIssue] { issues.filter { $0.severity == .error } }

    /// RFC 7489 §6.6.3 step 6: without a valid `p`, a record with a valid `rua` acts as p=none;
    /// otherwise no DMARC processing applies.
    public var effectivePolicy: DMARCPolicy? { policy ?? (rua.isEmpty ? nil : DMARCPolicy.none) }

    /// A receiver applies the record (RFC 7489 §6.6.3).
    public var isUsable: Bool { effectivePolicy != nil }

    static func isDMARC(_ text: String) -> Bool {
        // RFC 7489 §6.6.3: records not starting with "v=DMARC1" are discarded.
        var t = Substring(text)
        while t.first == " " || t.first == "\t" { t = t.dropFirst() }
        guard t.hasPrefix("v") || t.hasPrefix("V") else { return false }
        t = t.dropFirst()
        while t.first == " " || t.first == "\t" { t = t.dropFirst() }
        guard t.first == "=" else { return false }
        t = t.dropFirst()
        while t.first == " " || t.first == "\t" { t = t.dropFirst() }
        guard t.hasPrefix("DMARC1") else { return false }
        let rest = t.dropFirst(6)
        return rest.isEmpty || rest.first == ";" || rest.first == " " || rest.first == "\t"
    }

    public struct SyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
        public let position: Int
        public let message: String
        public var description: String { "at character \(position + 1): \(message)" }
    }

    /// Parses and validates a record. Throws only when the text is not a DMARC record at all
    /// (no `v=DMARC1` first, or not a tag list); every value problem becomes an issue.
    public static func parse(_ text: String, spec: DMARCSpec = .rfc7489) throws(SyntaxError) -> DMARCRecord {
        let tags: TagList
        do { tags = try TagList.parse(text) } catch { throw SyntaxError(position: error.position, message: error.message) }
        guard let v = tags.tags.first, v.name == "v", v.value == "DMARC1" else {
            throw SyntaxError(position: 0, message: "a DMARC record starts with \"v=DMARC1\" (RFC 7489 §6.4)")
        }
        var r = DMARCRecord(text: text, tags: tags)
        r.validate(spec)
        return r
    }

    mutating func issue(_ s: DMARCIssue.Severity, _ tag: TagList.Tag?, _ message: String, _ section: String, rfc: Int = 7489) {
        issues.append(DMARCIssue(severity: s, tag: tag?.name, position: tag?.position, message: message, rfc: RFCRef(rfc, section)))
    }

    mutating func validate(_ spec: DMARCSpec) {
        func policyValue(_ name: String) -> DMARCPolicy? {
            guard let t = tags.tag(name) else { return nil }
            if let p = DMARCPolicy(rawValue: t.value.lowercased()) { return p }
            issue(.error, t, "\"\(t.value)\" is not a policy (none, quarantine, reject)", "6.3")
            return nil
        }
        if let p = tags.tag("p") {
            policy = policyValue("p")
            if tags.tags.count < 2 || tags.tags[1].name != "p" {
                issue(.warning, p, "\"p\" should directly follow \"v=DMARC1\"", "6.3")
            }
        } else if spec == .rfc9989 {
            policy = DMARCPolicy.none
            issue(.warning, nil, "no \"p\" tag: treated as p=none", "4.7", rfc: 9989)
        } else {
            issue(.error, nil, "the required \"p\" tag is missing", "6.3")
        }
        subdomainPolicy = policyValue("sp")
        nonexistentPolicy = policyValue("np")
        if tags.tag("np") != nil && spec == .rfc7489 {
            issue(.info, tags.tag("np"), "\"np\" is defined by RFC 9989; RFC 7489 receivers ignore it", "6.3")
        }
        if let t = tags.tag("pct") {
            if spec == .rfc9989 { issue(.warning, t, "\"pct\" was removed by RFC 9989 (use t=y for testing)", "A.6", rfc: 9989) }
            if let n = Int(t.value), (0...100).contains(n), t.value.allSatisfy(\.isNumber) { percent = n } else {
                issue(.error, t, "\"\(t.value)\" is not a percentage 0–100", "6.3")
            }
        }
        for (name, strict) in [("adkim", \DMARCRecord.strictDKIM), ("aspf", \DMARCRecord.strictSPF)] as [(String, WritableKeyPath<DMARCRecord, Bool>)] {
            guard let t = tags.tag(name) else { continue }
            switch t.value.lowercased() {
            case "s": self[keyPath: strict] = true
            case "r": break
            default: issue(.error, t, "\"\(t.value)\" is not an alignment mode (r or s)", "6.3")
            }
        }
        if let t = tags.tag("fo") {
            let opts = t.value.split(separator: ":").map { $0.trimmingSpaces() }
            if opts.isEmpty || !opts.allSatisfy({ ["0", "1", "d", "s"].contains($0.lowercased()) }) {
                issue(.error, t, "\"\(t.value)\" is not a list of failure options (0, 1, d, s separated by \":\")", "6.3")
            }
        }
        if let t = tags.tag("rf") {
            if spec == .rfc9989 { issue(.info, t, "\"rf\" was removed by RFC 9989", "A.6", rfc: 9989) }
            let fmts = t.value.split(separator: ":").map { $0.trimmingSpaces().lowercased() }
            if !fmts.allSatisfy({ $0 == "afrf" }) { issue(.error, t, "\"\(t.value)\" is not a report format (afrf)", "6.3") }
        }
        if let t = tags.tag("ri") {
            if spec == .rfc9989 { issue(.info, t, "\"ri\" was removed by RFC 9989", "A.6", rfc: 9989) }
            if UInt32(t.value) == nil { issue(.error, t, "\"\(t.value)\" is not a number of seconds", "6.3") }
        }
        if let t = tags.tag("t") {
            switch t.value.lowercased() {
            case "y": testing = true
            case "n": break
            default: issue(.error, t, "\"\(t.value)\" is not y or n", "4.7", rfc: 9989)
            }
        }
        rua = uris("rua")
        ruf = uris("ruf")
    }

    /// RFC 7489 §6.4: dmarc-uri = URI [ "!" 1*DIGIT [ "k" / "m" / "g" / "t" ] ], comma-separated.
    mutating func uris(_ name: String) -> [DMARCReportURI] {
        guard let t = tags.tag(name) else { return [] }
        var out: [DMARCReportURI] = []
        for raw in t.value.split(separator: ",", omittingEmptySubsequences: false) {
            var u = raw.trimmingSpaces()
            if let bang = u.lastIndex(of: "!") {
                let size = u[u.index(after: bang)...]
                let digits = size.last.map { "kmgtKMGT".contains($0) } == true ? size.dropLast() : size
                guard !digits.isEmpty, digits.allSatisfy(\.isNumber) else {
                    issue(.error, t, "\"\(u)\": the size limit after \"!\" is not a number", "6.4"); continue
                }
                u = String(u[..<bang])
            }
            guard let colon = u.firstIndex(of: ":"), let f = u.first, f.isLetter,
                  u[..<colon].allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "+-.".contains($0)) }) else {
                issue(.error, t, "\"\(u)\" is not a URI (it needs a scheme such as mailto:)", "6.2")
                continue
            }
            let scheme = u[..<colon].lowercased()
            var domain: String?
            if scheme == "mailto" {
                let addr = u[u.index(after: colon)...]
                guard let at = addr.lastIndex(of: "@"), at != addr.startIndex, addr.index(after: at) != addr.endIndex else {
                    issue(.error, t, "\"\(u)\" is not a mailto: URI with an address", "6.2"); continue
                }
                domain = String(addr[addr.index(after: at)...]).lowercased()
            } else {
                issue(.warning, t, "\"\(u)\": receivers commonly support only mailto: report URIs", "6.2")
            }
            out.append(DMARCReportURI(uri: u, scheme: scheme, mailDomain: domain))
        }
        return out
    }
}

extension StringProtocol {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return String(s)
    }
}
