/// An Authentication-Results field (RFC 8601): which host checked what, with which result.
///
/// ```
/// authres-payload = [CFWS] authserv-id [ CFWS authres-version ] ( no-result / 1*resinfo ) [CFWS]
/// resinfo    = [CFWS] ";" methodspec [ CFWS reasonspec ] [ CFWS 1*propspec ]     (RFC 8601 §2.2)
/// methodspec = [CFWS] method [CFWS] "=" [CFWS] result
/// propspec   = ptype [CFWS] "." [CFWS] property [CFWS] "=" pvalue
/// ```
/// The same type holds an ARC-Authentication-Results field (RFC 8617 §4.1.1), whose payload is
/// prefixed by `i=N;`; `instance` is then set. Bounded: 64 KiB of input, 256 results, 64
/// properties per result.
public struct AuthenticationResults: Sendable, Hashable, Codable {
    /// One method's outcome (`dkim=pass header.d=example.org`).
    public struct MethodResult: Sendable, Hashable, Codable {
        /// Lower-cased: `spf`, `dkim`, `dmarc`, `arc`, `iprev`, `auth`, `bimi`…
        public var method: String
        public var methodVersion: Int?
        /// Lower-cased as RFC 8601 §2.7 names them: `pass`, `fail`, `softfail`, `neutral`,
        /// `none`, `temperror`, `permerror`, `policy`…
        public var result: String
        public var reason: String?
        public var properties: [Property]
        public var comments: [String]

        /// The value of `ptype.property` (case-insensitive), e.g. `("header", "d")`.
        public func property(_ ptype: String, _ name: String) -> String? {
            properties.first { $0.type == ptype.lowercased() && $0.name == name.lowercased() }?.value
        }
    }

    /// `ptype.property=value` (RFC 8601 §2.3): ptype is `smtp`, `header`, `body` or `policy`.
    public struct Property: Sendable, Hashable, Codable {
        public var type: String
        public var name: String
        public var value: String
    }

    /// Who did the checks (RFC 8601 §2.5): normally the receiving host or domain.
    public var authservID: String
    public var version: Int?
    /// ARC instance (RFC 8617 §4.2.1) of an ARC-Authentication-Results field; nil otherwise.
    public var instance: Int?
    /// Empty when the payload says `none` (no checks were made).
    public var results: [MethodResult]

    /// The first result of `method` (`spf`, `dkim`, `dmarc`, `arc`…).
    public func result(_ method: String) -> MethodResult? { results.first { $0.method == method.lowercased() } }
    /// Every result of `method` (several DKIM signatures give several `dkim=` results).
    public func results(_ method: String) -> [MethodResult] { results.filter { $0.method == method.lowercased() } }
}

/// Why an Authentication-Results value did not parse; `position` is a 0-based byte offset.
public struct AuthResultsParseError: Error, Sendable, Hashable, CustomStringConvertible {
    public let position: Int
    public let message: String
    public var description: String { "at byte \(position + 1): \(message)" }
}

extension AuthenticationResults {
    static let maxBytes = 65_536

    /// Parses an Authentication-Results value (RFC 8601 §2.2).
    public static func parse(_ value: String) throws(AuthResultsParseError) -> AuthenticationResults {
        guard value.utf8.count <= maxBytes else { throw AuthResultsParseError(position: 0, message: "longer than 64 KiB") }
        var sc = HeaderScanner(value)
        return try payload(&sc, instance: nil)
    }

    /// Parses an ARC-Authentication-Results value (RFC 8617 §4.1.1: `i=N; authres-payload`).
    public static func parseARC(_ value: String) throws(AuthResultsParseError) -> AuthenticationResults {
        guard value.utf8.count <= maxBytes else { throw AuthResultsParseError(position: 0, message: "longer than 64 KiB") }
        var sc = HeaderScanner(value)
        sc.skipCFWS()
        let start = sc.i
        let tag = sc.readToken(stops: [UInt8(ascii: ";"), UInt8(ascii: "=")])
        sc.skipCFWS()
        guard tag.lowercased() == "i", sc.eat("=") else {
            throw AuthResultsParseError(position: start, message: "an ARC-Authentication-Results value must start with i= (RFC 8617 §4.1.1)")
        }
        sc.skipCFWS()
        let n = sc.readToken(stops: [UInt8(ascii: ";")])
        // RFC 8617 §4.2.1: instance values are 1 to 50.
        guard let i = Int(n), (1...50).contains(i), n.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw AuthResultsParseError(position: start, message: "i=\(n.prefix(20)) is not an instance 1–50 (RFC 8617 §4.2.1)")
        }
        sc.skipCFWS()
        guard sc.eat(";") else { throw AuthResultsParseError(position: sc.i, message: "expected \";\" after i=\(i) (RFC 8617 §4.1.1)") }
        return try payload(&sc, instance: i)
    }

    static func isKeyword(_ s: String) -> Bool {
        !s.isEmpty && s.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) || $0 == 0x2D || $0 == 0x5F }
    }

    static func payload(_ sc: inout HeaderScanner, instance: Int?) throws(AuthResultsParseError) -> AuthenticationResults {
        let semi = UInt8(ascii: ";"), eq = UInt8(ascii: "="), slash = UInt8(ascii: "/"), dot = UInt8(ascii: ".")
        sc.skipCFWS()
        let idStart = sc.i
        let id = sc.readValue(stops: [semi])
        guard !id.isEmpty else { throw AuthResultsParseError(position: idStart, message: "no authserv-id (RFC 8601 §2.2)") }
        var ar = AuthenticationResults(authservID: id, version: nil, instance: instance, results: [])
        sc.skipCFWS()
        // authres-version = 1*DIGIT
        if let c = sc.peek(), c >= 0x30, c <= 0x39 {
            let vStart = sc.i
            let v = sc.readToken(stops: [semi])
            guard let n = Int(v), v.count <= 4 else { throw AuthResultsParseError(position: vStart, message: "\"\(v.prefix(20))\" after the authserv-id is not a version number") }
            ar.version = n
        }
        _ = sc.takeComments()
        var sawNone = false
        while true {
            sc.skipCFWS()
            if sc.atEnd { break }
            guard sc.eat(";") else {
                throw AuthResultsParseError(position: sc.i, message: "expected \";\" before \"\(sc.rest.prefix(30))\" (RFC 8601 §2.2)")
            }
            sc.skipCFWS()
            if sc.atEnd { break }  // a trailing ";" is common; tolerated
            if sc.peek() == semi { continue }
            let mStart = sc.i
            let method = sc.readToken(stops: [semi, eq, slash]).lowercased()
            sc.skipCFWS()
            // no-result = [CFWS] ";" [CFWS] "none"
            if method == "none", sc.atEnd || sc.peek() == semi {
                guard ar.results.isEmpty else { throw AuthResultsParseError(position: mStart, message: "\"none\" after results (RFC 8601 §2.2)") }
                sawNone = true; continue
            }
            guard isKeyword(method) else { throw AuthResultsParseError(position: mStart, message: "\"\(method.prefix(30))\" is not a method name (RFC 8601 §2.2)") }
            var r = MethodResult(method: method, methodVersion: nil, result: "", reason: nil, properties: [], comments: [])
            if sc.eat("/") {
                sc.skipCFWS()
                let v = sc.readToken(stops: [semi, eq])
                guard let n = Int(v), v.count <= 4 else { throw AuthResultsParseError(position: sc.i, message: "\"\(v.prefix(20))\" is not a method version") }
                r.methodVersion = n
                sc.skipCFWS()
            }
            guard sc.eat("=") else { throw AuthResultsParseError(position: sc.i, message: "expected \"=\" after \"\(method)\" (RFC 8601 §2.2)") }
            sc.skipCFWS()
            let rStart = sc.i
            r.result = sc.readToken(stops: [semi]).lowercased()
            guard isKeyword(r.result) else { throw AuthResultsParseError(position: rStart, message: "\"\(method)=\" has no result keyword (RFC 8601 §2.7)") }
            while true {
                sc.skipCFWS()
                if sc.atEnd || sc.peek() == semi { break }
                let kStart = sc.i
                let key = sc.readToken(stops: [semi, eq, dot]).lowercased()
                sc.skipCFWS()
                if key == "reason", sc.eat("=") {
                    sc.skipCFWS()
                    r.reason = sc.readValue(stops: [semi])
                } else if isKeyword(key), sc.eat(".") {
                    sc.skipCFWS()
                    let name = sc.readToken(stops: [semi, eq]).lowercased()
                    sc.skipCFWS()
                    guard !name.isEmpty, sc.eat("=") else { throw AuthResultsParseError(position: sc.i, message: "expected \"\(key).property=value\" (RFC 8601 §2.2)") }
                    sc.skipCFWS()
                    let value = sc.readValue(stops: [semi])
                    guard r.properties.count < 64 else { throw AuthResultsParseError(position: kStart, message: "more than 64 properties") }
                    r.properties.append(Property(type: key, name: name, value: value))
                } else {
                    throw AuthResultsParseError(position: kStart, message: "\"\(key.prefix(30))\" is neither reason= nor ptype.property= (RFC 8601 §2.2)")
                }
            }
            r.comments = sc.takeComments()
            guard ar.results.count < 256 else { throw AuthResultsParseError(position: mStart, message: "more than 256 results") }
            guard !sawNone else { throw AuthResultsParseError(position: mStart, message: "results after \"none\" (RFC 8601 §2.2)") }
            ar.results.append(r)
        }
        return ar
    }
}
