/// A `tag=value; tag=value` list as DKIM (RFC 6376 §3.2), DMARC (RFC 7489 §6.4), MTA-STS TXT
/// (RFC 8461 §3.1), TLS-RPT (RFC 8460 §3) and BIMI use it, with the offset of every tag.
public struct TagList: Sendable, Hashable {
    public struct Tag: Sendable, Hashable {
        /// Lower-cased when the list was parsed case-insensitively.
        public let name: String
        public let value: String
        /// 0-based character offset of the tag name in the record.
        public let position: Int
    }

    public let tags: [Tag]

    public struct Error: Swift.Error, Sendable, Hashable, CustomStringConvertible {
        public let position: Int
        public let message: String
        public var description: String { "at character \(position + 1): \(message)" }
    }

    /// RFC 6376 §3.2: tag-spec = [FWS] tag-name [FWS] "=" [FWS] tag-value [FWS]; a trailing ";"
    /// is allowed; duplicate tags are an error. Bounded: at most 64 KiB of input, 256 tags.
    public static func parse(_ text: String, lowercaseNames: Bool = true) throws(Error) -> TagList {
        let chars = Array(text)
        guard chars.count <= 65_536 else { throw Error(position: 0, message: "record longer than 64 KiB") }
        var tags: [Tag] = []
        var seen: Set<String> = []
        var i = 0
        func isWS(_ c: Character) -> Bool { c == " " || c == "\t" || c == "\r" || c == "\n" || c == "\r\n" }
        while i < chars.count {
            while i < chars.count && isWS(chars[i]) { i += 1 }
            if i >= chars.count { break }
            if chars[i] == ";" { i += 1; continue }
            let start = i
            while i < chars.count && chars[i] != "=" && chars[i] != ";" { i += 1 }
            var name = String(chars[start..<i])
            while let l = name.last, isWS(l) { name.removeLast() }
            guard i < chars.count, chars[i] == "=" else {
                throw Error(position: start, message: "\"\(name.prefix(40))\" is not tag=value")
            }
            // tag-name = ALPHA *ALNUMPUNC (ALNUMPUNC = ALPHA / DIGIT / "_")
            guard let f = name.first, f.isASCII, f.isLetter,
                  name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else {
                throw Error(position: start, message: "\"\(name.prefix(40))\" is not a valid tag name")
            }
            if lowercaseNames { name = name.lowercased() }
            i += 1
            let vStart = i
            while i < chars.count && chars[i] != ";" { i += 1 }
            var value = Substring(String(chars[vStart..<i]))
            while let f = value.first, isWS(f) { value = value.dropFirst() }
            while let l = value.last, isWS(l) { value = value.dropLast() }
            guard seen.insert(name).inserted else {
                throw Error(position: start, message: "tag \"\(name)\" appears twice")
            }
            guard tags.count < 256 else { throw Error(position: start, message: "more than 256 tags") }
            tags.append(Tag(name: name, value: String(value), position: start))
        }
        return TagList(tags: tags)
    }

    public subscript(_ name: String) -> String? { tags.first { $0.name == name }?.value }
    public func tag(_ name: String) -> Tag? { tags.first { $0.name == name } }
}
