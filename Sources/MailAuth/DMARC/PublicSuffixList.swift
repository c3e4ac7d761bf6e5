import MailCore

#if canImport(Glibc)
import Glibc
#endif

/// The Public Suffix List (https://publicsuffix.org/list/), for the organisational domain of
/// RFC 7489 §3.2. Debian's `publicsuffix` package installs it at `defaultPath`.
public struct PublicSuffixList: Sendable {
    public static let defaultPath = "/usr/share/publicsuffix/public_suffix_list.dat"

    public struct LoadError: Error, Sendable, CustomStringConvertible {
        public let path: String
        public var description: String {
            "cannot read the Public Suffix List at \(path): install Debian's `publicsuffix` package (apt-get install publicsuffix)"
        }
    }

    var rules: Set<String> = []
    var wildcards: Set<String> = []
    var exceptions: Set<String> = []

    /// Parses the list's text: one rule per line, `//` comments, `*.` wildcards, `!` exceptions.
    public init(text: String) {
        for line in text.split(whereSeparator: { $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) {
            let rule = line.split(separator: " ", maxSplits: 1).first.map(String.init) ?? ""
            if rule.isEmpty || rule.hasPrefix("//") { continue }
            let r = rule.lowercased()
            if r.hasPrefix("!") { exceptions.insert(String(r.dropFirst())) } else if r.hasPrefix("*.") {
                wildcards.insert(String(r.dropFirst(2)))
            } else { rules.insert(r) }
        }
    }

    /// Reads the list from a file; a missing list is a `LoadError` that says how to install it.
    public static func load(path: String = defaultPath) throws(LoadError) -> PublicSuffixList {
        guard let f = fopen(path, "r") else { throw LoadError(path: path) }
        defer { fclose(f) }
        var bytes: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = fread(&buf, 1, buf.count, f)
            if n <= 0 { break }
            bytes += buf[0..<n]
            if bytes.count > 16 << 20 { break }
        }
        guard !bytes.isEmpty else { throw LoadError(path: path) }
        return PublicSuffixList(text: String(decoding: bytes, as: UTF8.self))
    }

    /// The public suffix of `name` (the PSL algorithm: the longest matching rule, exceptions
    /// win, the implicit `*` rule otherwise).
    public func publicSuffix(of name: DomainName) -> DomainName {
        let labels = name.labels
        guard !labels.isEmpty else { return name }
        var best = 1
        for i in 0..<labels.count {
            let suffix = labels[i...].joined(separator: ".")
            let count = labels.count - i
            if exceptions.contains(suffix) { best = count - 1; break }
            if rules.contains(suffix) { best = max(best, count) }
            if i + 1 < labels.count, wildcards.contains(labels[(i + 1)...].joined(separator: ".")) { best = max(best, count) }
        }
        return DomainName(uncheckedLabels: Array(labels.suffix(best)))
    }

    /// RFC 7489 §3.2: the public suffix plus one label; nil when the name is itself a public suffix.
    public func organizationalDomain(of name: DomainName) -> DomainName? {
        let ps = publicSuffix(of: name)
        guard name.labels.count > ps.labels.count else { return nil }
        return DomainName(uncheckedLabels: Array(name.labels.suffix(ps.labels.count + 1)))
    }
}
