import DNSWire
import MailCore

/// The `_smtp._tls` TXT record (RFC 8460 §3): `v=TLSRPTv1; rua=<mailto: or https: URIs>`.
public struct TLSRPTRecord: Sendable, Hashable {
    public let rua: [String]
    public let tags: TagList

    public struct SyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
        public let position: Int
        public let message: String
        public var description: String { "at character \(position + 1): \(message)" }
    }

    static func isTLSRPT(_ text: String) -> Bool { text.hasPrefix("v=TLSRPTv1") }

    public static func parse(_ text: String) throws(SyntaxError) -> TLSRPTRecord {
        let tags: TagList
        do { tags = try TagList.parse(text, lowercaseNames: false) } catch { throw SyntaxError(position: error.position, message: error.message) }
        guard let v = tags.tags.first, v.name == "v", v.value == "TLSRPTv1" else {
            throw SyntaxError(position: 0, message: "the record must start with \"v=TLSRPTv1\" (RFC 8460 §3)")
        }
        guard let rua = tags.tag("rua") else { throw SyntaxError(position: text.count, message: "the required \"rua=\" is missing (RFC 8460 §3)") }
        var uris: [String] = []
        for u in rua.value.split(separator: ",").map({ $0.trimmingSpaces() }) {
            let lower = u.lowercased()
            if lower.hasPrefix("mailto:") {
                guard u.dropFirst(7).contains("@") else { throw SyntaxError(position: rua.position, message: "\"\(u)\" is not a mailto: address") }
            } else if lower.hasPrefix("https://") {
                guard u.count > 8 else { throw SyntaxError(position: rua.position, message: "\"\(u)\" has no host") }
            } else {
                throw SyntaxError(position: rua.position, message: "\"\(u)\" is not a mailto: or https: URI (RFC 8460 §3)")
            }
            uris.append(u)
        }
        guard !uris.isEmpty else { throw SyntaxError(position: rua.position, message: "rua= lists no URI") }
        return TLSRPTRecord(rua: uris, tags: tags)
    }
}

/// A BIMI assertion record at `<selector>._bimi.<domain>` (BIMI draft §4.2): `v=BIMI1; l=<https
/// SVG URL>; a=<https PEM URL>`. Parsed only; images and certificates are not fetched.
public struct BIMIRecord: Sendable, Hashable {
    public let location: String?
    public let authority: String?
    public let tags: TagList
    /// `l=` empty and no `a=`: the domain declines to publish (BIMI draft §4.2).
    public var isDeclination: Bool { (location ?? "").isEmpty && (authority ?? "").isEmpty }

    public struct SyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
        public let position: Int
        public let message: String
        public var description: String { "at character \(position + 1): \(message)" }
    }

    static func isBIMI(_ text: String) -> Bool { text.hasPrefix("v=BIMI1") }

    public static func parse(_ text: String) throws(SyntaxError) -> BIMIRecord {
        let tags: TagList
        do { tags = try TagList.parse(text) } catch { throw SyntaxError(position: error.position, message: error.message) }
        guard let v = tags.tags.first, v.name == "v", v.value == "BIMI1" else {
            throw SyntaxError(position: 0, message: "the record must start with \"v=BIMI1\"")
        }
        for name in ["l", "a"] {
            if let t = tags.tag(name), !t.value.isEmpty {
                for u in t.value.split(separator: ",") where !u.trimmingSpaces().lowercased().hasPrefix("https://") {
                    throw SyntaxError(position: t.position, message: "\(name)= \"\(u)\" is not an https: URL")
                }
            }
        }
        return BIMIRecord(location: tags["l"], authority: tags["a"], tags: tags)
    }
}

/// One TXT lookup of a simple policy record (TLS-RPT, BIMI) with its outcome.
public struct PolicyRecordLookup<Record: Sendable>: Sendable {
    public var name: DomainName
    public var status: DNSStatus
    public var record: Record?
    public var error: String?
    public var count: Int
    public var answer: DNSAnswer

    static func run(_ resolver: any DNSResolver, _ name: DomainName, matches: (String) -> Bool,
                    parse: (String) throws -> Record) async -> PolicyRecordLookup {
        let a = await resolver.resolve(DNSQuery(name, .txt))
        let texts = a.rdata.compactMap { r -> String? in if case .txt(let t) = r { t.joined } else { nil } }.filter(matches)
        var out = PolicyRecordLookup(name: name, status: a.status, record: nil, error: nil, count: texts.count, answer: a)
        if texts.count == 1 {
            do { out.record = try parse(texts[0]) } catch { out.error = "\(error)" }
        } else if texts.count > 1 {
            out.error = "\(texts.count) records published; receivers ignore them all"
        }
        return out
    }
}

extension DNSResolver {
    /// RFC 8460 §3.
    public func lookupTLSRPT(_ domain: DomainName) async -> PolicyRecordLookup<TLSRPTRecord>? {
        guard let name = try? domain.prepending("_smtp._tls") else { return nil }
        return await PolicyRecordLookup.run(self, name, matches: TLSRPTRecord.isTLSRPT, parse: { try TLSRPTRecord.parse($0) })
    }

    /// BIMI draft §4.4: `default._bimi.<domain>` unless a selector is given.
    public func lookupBIMI(_ domain: DomainName, selector: String = "default") async -> PolicyRecordLookup<BIMIRecord>? {
        guard let name = try? domain.prepending(selector + "._bimi") else { return nil }
        return await PolicyRecordLookup.run(self, name, matches: BIMIRecord.isBIMI, parse: { try BIMIRecord.parse($0) })
    }
}
