import Testing
import MailCore

@Suite struct EmailAddressTests {
    @Test func parsesMailbox() throws {
        let a = try EmailAddress("Postmaster@Good.Lab.Test")
        #expect(a.localPart == "Postmaster")
        #expect(a.domain == "good.lab.test")
        #expect(a.domainName?.description == "good.lab.test")
    }

    @Test func quotedLocalPartWithAt() throws {
        let a = try EmailAddress("\"a@b\"@example.org")
        #expect(a.localPart == "\"a@b\"")
        #expect(a.domain == "example.org")
    }

    @Test func addressLiteral() throws {
        let a = try EmailAddress("user@[127.0.0.1]")
        #expect(a.domain == "[127.0.0.1]")
        #expect(a.domainName == nil)
    }

    @Test func refusesInjection() {
        #expect(throws: EmailAddress.ParseError.controlCharacter) { try EmailAddress("a@b.test\r\nRCPT TO:<x@y>") }
        #expect(throws: EmailAddress.ParseError.missingAt) { try EmailAddress("nobody") }
        #expect(throws: EmailAddress.ParseError.emptyLocalPart) { try EmailAddress("@b.test") }
        #expect(throws: EmailAddress.ParseError.localPartTooLong(65)) { try EmailAddress(String(repeating: "x", count: 65) + "@b.test") }
    }
}
