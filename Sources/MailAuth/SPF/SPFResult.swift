import DNSWire
import MailCore

/// RFC 7208 §2.6 results, named as RFC 8601 §2.7.2 names them in Authentication-Results.
public enum SPFResult: String, Sendable, Hashable, Codable, CaseIterable {
    case none, neutral, pass, fail, softfail, temperror, permerror
}

/// One line of the evaluation trace: which record was read, which term was tried, what it cost,
/// and what it gave. `depth` is the include/redirect nesting (0 for the first domain).
public struct SPFTraceStep: Sendable, Hashable, Codable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable, Codable { case record, term, lookup, match, result, error }
    public let depth: Int
    public let domain: String
    public let kind: Kind
    public let text: String

    public var description: String {
        String(repeating: "  ", count: depth) + "[\(domain)] \(kind.rawValue): \(text)"
    }
}

/// Everything `check_host()` found: the result, the term that decided it, the explanation for
/// a fail, the counters the limits apply to, the trace, and every DNS answer as evidence.
public struct SPFEvaluation: Sendable {
    public var result: SPFResult
    /// The domain whose record decided the result (after include/redirect).
    public var domain: String
    /// The mechanism that matched (`-all`, `ip4:192.0.2.0/24`), nil when none did.
    public var matchedTerm: String?
    /// RFC 7208 §6.2: the expanded `exp=` text for a fail, when there is one.
    public var explanation: String?
    /// Why a permerror/temperror happened, in words.
    public var problem: String?
    /// RFC 7208 §4.6.4 counters.
    public var lookupCount: Int
    public var voidLookupCount: Int
    public var trace: [SPFTraceStep]
    public var answers: [DNSAnswer]

    public var dnsTraces: [DNSTrace] { answers.flatMap(\.traces) }
}

/// The inputs of `check_host(<ip>, <domain>, <sender>)` (RFC 7208 §4.1) plus HELO for `%{h}`.
public struct SPFRequest: Sendable, Hashable {
    public var ip: IPAddress
    /// MAIL FROM; empty for a null reverse-path (then `postmaster@<helo>` is used, RFC 7208 §2.4).
    public var sender: String
    public var helo: String
    /// The domain to check; nil: the sender's domain (or HELO when the sender is empty).
    public var domain: String?
    /// `%{r}`: the receiving host's name.
    public var receiver: String
    public var timestamp: Int

    public init(ip: IPAddress, sender: String, helo: String = "", domain: String? = nil,
                receiver: String = "unknown", timestamp: Int = 0) {
        self.ip = ip; self.sender = sender; self.helo = helo; self.domain = domain
        self.receiver = receiver; self.timestamp = timestamp
    }
}

extension IPAddress {
    /// True when the first `prefix` bits equal those of `network` (same family only).
    public func matches(_ network: IPAddress, prefix: Int) -> Bool {
        guard isIPv6 == network.isIPv6 else { return false }
        let a = bytes, b = network.bytes
        var bits = max(0, min(prefix, a.count * 8))
        var i = 0
        while bits > 0 {
            let mask: UInt8 = bits >= 8 ? 0xFF : ~(0xFF >> UInt8(bits))
            if a[i] & mask != b[i] & mask { return false }
            bits -= 8; i += 1
        }
        return true
    }

    /// `::ffff:a.b.c.d` as the IPv4 address it carries (RFC 4291 §2.5.5.2), else self.
    public var unmappedIPv4: IPAddress {
        if case .v6(let b) = self, b[0..<10].allSatisfy({ $0 == 0 }), b[10] == 0xFF, b[11] == 0xFF {
            return IPAddress(v4: Array(b[12..<16]))
        }
        return self
    }
}
