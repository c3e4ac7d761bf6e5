/// Record-to-text writers (mox-style): the canonical text of a parsed record, with single spaces.
extension SPFRecord {
    /// `v=spf1` and every term, separated by one space (RFC 7208 §12: terms = *( 1*SP ( directive / modifier ) )).
    public var normalized: String { (["v=spf1"] + terms.map(\.text)).joined(separator: " ") }
}

extension DMARCRecord {
    /// A record for the given policy and reporting address, tags in the RFC 7489 §6.3 order.
    public static func write(policy: DMARCPolicy, subdomainPolicy: DMARCPolicy? = nil, percent: Int = 100,
                             rua: [String] = [], strictAlignment: Bool = false) -> String {
        var tags = ["v=DMARC1", "p=\(policy.rawValue)"]
        if let sp = subdomainPolicy { tags.append("sp=\(sp.rawValue)") }
        if percent != 100 { tags.append("pct=\(percent)") }
        if strictAlignment { tags += ["adkim=s", "aspf=s"] }
        if !rua.isEmpty { tags.append("rua=" + rua.joined(separator: ",")) }
        return tags.joined(separator: "; ")
    }
}

extension MTASTSPolicy {
    /// The policy file text (RFC 8461 §3.2), CRLF line ends.
    public var text: String {
        (["version: STSv1", "mode: \(mode.rawValue)"] + mx.map { "mx: \($0)" } + ["max_age: \(maxAge)"])
            .map { $0 + "\r\n" }.joined()
    }
}
