import Testing
import MailCore

@Suite struct DomainNameTests {
    @Test func normalisesCaseAndTrailingDot() throws {
        let d = try DomainName("MX1.Good.Lab.TEST.")
        #expect(d.description == "mx1.good.lab.test")
        #expect(d.labels == ["mx1", "good", "lab", "test"])
        #expect(d.parent?.description == "good.lab.test")
    }

    @Test func rejectsBadNames() {
        #expect(throws: DomainName.ParseError.emptyLabel(position: 2)) { try DomainName("a..b") }
        #expect(throws: DomainName.ParseError.empty) { try DomainName("") }
        #expect(throws: DomainName.ParseError.self) { try DomainName(String(repeating: "a", count: 64) + ".test") }
        #expect(throws: DomainName.ParseError.self) { try DomainName(Array(repeating: "abcdefghi", count: 26).joined(separator: ".")) }
        #expect(throws: DomainName.ParseError.self) { try DomainName("a b.test") }
    }

    @Test func underscoreLabelsAreFine() throws {
        #expect(try DomainName("_25._tcp.mx.good.lab.test").labels.first == "_25")
    }

    @Test func subdomainAndOrder() throws {
        let a = try DomainName("mx.good.lab.test"), b = try DomainName("lab.test")
        #expect(a.isSubdomain(of: b))
        #expect(!b.isSubdomain(of: a))
        #expect(b < a)
    }

    @Test func codableRoundTrip() throws {
        let d = try DomainName("Example.ORG")
        let data = try JSONEncoder().encode([d])
        #expect(String(decoding: data, as: UTF8.self) == "[\"example.org\"]")
        #expect(try JSONDecoder().decode([DomainName].self, from: data) == [d])
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([DomainName].self, from: Data("[\"a..b\"]".utf8)) }
    }
}

import Foundation
