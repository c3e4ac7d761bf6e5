import DNSWire
import Foundation
import MailAuth
import MailCore
import Testing

/// RFC 8463 Appendix A: one message signed twice by football.example.com (Ed25519 selector
/// "brisbane", RSA selector "test"), with the keys of Appendix A.2.
@Suite struct DKIMTests {
    static let message = [
        "DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/relaxed;",
        " d=football.example.com; i=@football.example.com;",
        " q=dns/txt; s=brisbane; t=1528637909; h=from : to :",
        " subject : date : message-id : from : subject : date;",
        " bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;",
        " b=/gCrinpcQOoIfuHNQIbq4pgh9kyIK3AQUdt9OdqQehSwhEIug4D11Bus",
        " Fa3bT3FY5OsU7ZbnKELq+eXdp1Q1Dw==",
        "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;",
        " d=football.example.com; i=@football.example.com;",
        " q=dns/txt; s=test; t=1528637909; h=from : to : subject :",
        " date : message-id : from : subject : date;",
        " bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;",
        " b=F45dVWDfMbQDGHJFlXUNB2HKfbCeLRyhDXgFpEL8GwpsRe0IeIixNTe3",
        " DhCVlUrSjV4BwcVcOF6+FF3Zo9Rpo1tFOeS9mPYQTnGdaSGsgeefOsk2Jz",
        " dA+L10TeYt9BgDfQNZtKdN1WO//KgIqXP7OdEFE4LjFYNcUxZQ4FADY+8=",
        "From: Joe SixPack <joe@football.example.com>",
        "To: Suzie Q <suzie@shopping.example.net>",
        "Subject: Is dinner ready?",
        "Date: Fri, 11 Jul 2003 21:00:37 -0700 (PDT)",
        "Message-ID: <20030712040037.46341.5F8J@football.example.com>",
        "",
        "Hi.",
        "",
        "We lost the game.  Are you hungry yet?",
        "",
        "Joe.",
        "",
    ].joined(separator: "\r\n")

    static let rsaKey = "v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWRiGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQiY/J16JYi0Qvx/byYzCNb3W91y3FutACDfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqMKrM3rG4hstT5QjvHO9PzoxZyVYLzBfO2EeC3Ip3G+2kryOTIKT+l/K4w3QIDAQAB"
    static let edKey = "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="

    static func resolver() throws -> InMemoryDNSResolver {
        var zone = InMemoryDNSResolver.Zone()
        zone.add(try DomainName("brisbane._domainkey.football.example.com"), .txt(TXTRecord([edKey])))
        zone.add(try DomainName("test._domainkey.football.example.com"), .txt(TXTRecord([rsaKey])))
        return InMemoryDNSResolver(zone: zone)
    }

    @Test func rfc8463AppendixABothSignaturesPass() async throws {
        let results = await DKIMVerifier(resolver: try Self.resolver()).verify(message: Array(Self.message.utf8))
        #expect(results.count == 2)
        #expect(results.map(\.result) == [.pass, .pass], "\(results.map { $0.reason ?? "" })")
        #expect(results.map(\.algorithm) == ["ed25519-sha256", "rsa-sha256"])
        #expect(results[1].keySize == 1024)
    }

    @Test func alteredBodyFailsBodyHash() async throws {
        let altered = Self.message.replacingOccurrences(of: "We lost", with: "We won")
        let results = await DKIMVerifier(resolver: try Self.resolver()).verify(message: Array(altered.utf8))
        #expect(results.map(\.result) == [.fail, .fail])
        #expect(results[0].reason == "body hash did not verify")
    }

    @Test func alteredHeaderFailsSignature() async throws {
        let altered = Self.message.replacingOccurrences(of: "Is dinner ready?", with: "Is lunch ready?")
        let results = await DKIMVerifier(resolver: try Self.resolver()).verify(message: Array(altered.utf8))
        #expect(results.map(\.result) == [.fail, .fail])
        #expect(results[0].reason == "signature did not verify")
    }

    @Test func identityOutsideDomainAndExpiryArePermerrors() async throws {
        let foreign = Self.message.replacingOccurrences(of: "i=@football.example.com", with: "i=@elsewhere.example")
        let r1 = await DKIMVerifier(resolver: try Self.resolver()).verify(message: Array(foreign.utf8))
        #expect(r1.map(\.result) == [.permerror, .permerror])
        let expiring = Self.message.replacingOccurrences(of: "t=1528637909;", with: "t=1528637909; x=1528637999;")
        let late = await DKIMVerifier(resolver: try Self.resolver(), now: 1_600_000_000).verify(message: Array(expiring.utf8))
        #expect(late.map(\.result) == [.permerror, .permerror])
        #expect(late[0].reason?.contains("expired") == true)
    }

    @Test func missingKeyIsPermerror() async throws {
        let results = await DKIMVerifier(resolver: InMemoryDNSResolver()).verify(message: Array(Self.message.utf8))
        #expect(results.map(\.result) == [.permerror, .permerror])
    }

    @Test func keyRecordsReadSizeTypeAndFlags() throws {
        let rsa = try DKIMKeyRecord.parse(Self.rsaKey)
        #expect(rsa.keyType == .rsa && rsa.keySize == 1024 && !rsa.isRevoked)
        let ed = try DKIMKeyRecord.parse(Self.edKey + "; t=y:s")
        #expect(ed.keyType == .ed25519 && ed.keySize == 256 && ed.testing && ed.strictIdentity)
        let revoked = try DKIMKeyRecord.parse("v=DKIM1; p=")
        #expect(revoked.isRevoked)
        #expect(throws: DKIMKeyRecord.SyntaxError.self) { try DKIMKeyRecord.parse("k=rsa; v=DKIM1; p=") }
        #expect(throws: DKIMKeyRecord.SyntaxError.self) { try DKIMKeyRecord.parse("v=DKIM1; k=rsa") }
        let bad = try DKIMKeyRecord.parse("v=DKIM1; k=ed25519; p=AAAA")
        #expect(bad.keySize == nil && !bad.problems.isEmpty)
    }

    /// RFC 6376 §3.4.5 example: relaxed header and body canonicalisation.
    @Test func rfc6376CanonicalizationExample() async throws {
        let key = try DKIMKeyRecord.parse(Self.rsaKey)
        #expect(key.keySize == 1024)
        let body = Array(" C \r\nD \t E\r\n\r\n\r\n".utf8)
        #expect(DKIMVerifier.canonicalBodyForTesting(body, .relaxed) == Array(" C\r\nD E\r\n".utf8))
        #expect(DKIMVerifier.canonicalBodyForTesting(body, .simple) == Array(" C \r\nD \t E\r\n".utf8))
        #expect(DKIMVerifier.canonicalBodyForTesting([], .simple) == Array("\r\n".utf8))
        #expect(DKIMVerifier.canonicalBodyForTesting([], .relaxed) == [])
        #expect(DKIMVerifier.canonicalHeaderForTesting("A: X", .relaxed) == "a:X")
        #expect(DKIMVerifier.canonicalHeaderForTesting("B : Y\t\r\n\tZ  ", .relaxed) == "b:Y Z")
    }
}
