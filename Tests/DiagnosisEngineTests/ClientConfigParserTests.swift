import DNSWire
import Foundation
import MailCore
import Testing
@testable import Diagnosis

@Suite("MiniXML and the client configuration parsers")
struct ClientConfigParserTests {
    let email = "alice@example.test"
    let src = ClientSource(kind: .autoconfig, detail: "test", evidenceID: "ev")

    @Test func xmlElementsAttributesAndText() throws {
        let x = try MiniXML.parse(Array(#"<?xml version="1.0"?><!-- c --><a x='1'><b y="2">t &amp; &#x41;<![CDATA[<raw>&]]></b><c/></a>"#.utf8))
        #expect(x.name == "a")
        #expect(x.attributes["x"] == "1")
        #expect(x.child("B")?.text == "t & A<raw>&")
        #expect(x.child("b")?.attributes["y"] == "2")
        #expect(x.child("c") != nil)
    }

    @Test func xmlRefusesDoctypeAndBadInput() {
        #expect(throws: XMLReadError.doctypeRefused) { try MiniXML.parse(Array("<!DOCTYPE x [<!ENTITY e 'boom'>]><x>&e;</x>".utf8)) }
        #expect(throws: XMLReadError.self) { try MiniXML.parse(Array("<a><b></a>".utf8)) }
        #expect(throws: XMLReadError.self) { try MiniXML.parse(Array("<a>&unknown;</a>".utf8)) }
        #expect(throws: XMLReadError.empty) { try MiniXML.parse([]) }
        let deep = String(repeating: "<a>", count: 100) + String(repeating: "</a>", count: 100)
        #expect(throws: XMLReadError.tooDeep) { try MiniXML.parse(Array(deep.utf8)) }
        #expect(throws: XMLReadError.tooLarge(MiniXML.maxBytes)) { try MiniXML.parse([UInt8](repeating: 0x20, count: MiniXML.maxBytes + 1)) }
    }

    /// Arbitrary bytes end in a value or a typed error, never a crash or a hang.
    @Test func xmlSurvivesRandomBytes() {
        var rng = SystemRandomNumberGenerator()
        let alphabet = Array("<>/=\"' &;#x![]CDATA-?abc\n".utf8)
        var parsed = 0
        for _ in 0..<3000 {
            let n = Int.random(in: 0..<200, using: &rng)
            let bytes = (0..<n).map { _ in Bool.random(using: &rng) ? alphabet.randomElement(using: &rng)! : UInt8.random(in: 0...255, using: &rng) }
            if (try? MiniXML.parse(bytes)) != nil { parsed += 1 }
        }
        #expect(parsed >= 0)
        #expect((try? MiniXML.parse(Array("<a>ok</a>".utf8)))?.text == "ok")
    }

    static let autoconfig = """
    <?xml version="1.0" encoding="UTF-8"?>
    <clientConfig version="1.1">
      <emailProvider id="example.test">
        <incomingServer type="imap"><hostname>imap.example.test</hostname><port>993</port><socketType>SSL</socketType><username>%EMAILADDRESS%</username></incomingServer>
        <incomingServer type="pop3"><hostname>pop.example.test</hostname><port>110</port><socketType>STARTTLS</socketType><username>%EMAILLOCALPART%</username></incomingServer>
        <incomingServer type="exchange"><hostname>ews.example.test</hostname></incomingServer>
        <outgoingServer type="smtp"><hostname>smtp.%EMAILDOMAIN%</hostname><port>25</port><socketType>plain</socketType></outgoingServer>
      </emailProvider>
    </clientConfig>
    """

    @Test func autoconfigServersAndPlaceholders() throws {
        let c = try AutoconfigParser.parse(Array(Self.autoconfig.utf8), email: email, source: src)
        #expect(c.map(\.label) == ["imap imap.example.test:993 ssl", "pop3 pop.example.test:110 starttls", "smtp smtp.example.test:25 plain"])
        #expect(c[0].username == "alice@example.test")
        #expect(c[1].username == "alice")
        #expect(throws: ClientConfigParseError.unexpectedRoot("html")) { try AutoconfigParser.parse(Array("<html/>".utf8), email: email, source: src) }
        #expect(throws: ClientConfigParseError.noServers) { try AutoconfigParser.parse(Array("<clientConfig/>".utf8), email: email, source: src) }
    }

    @Test func autodiscoverSettingsRedirectsAndErrors() throws {
        let ok = """
        <Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006">
         <Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a"><Account>
          <Action>settings</Action>
          <Protocol><Type>EXCH</Type><Server>x</Server></Protocol>
          <Protocol><Type>IMAP</Type><Server>mail.example.test</Server><Port>993</Port><SSL>on</SSL></Protocol>
          <Protocol><Type>SMTP</Type><Server>mail.example.test</Server><Port>587</Port><SSL>on</SSL><Encryption>TLS</Encryption><LoginName>alice</LoginName></Protocol>
          <Protocol><Type>POP3</Type><Server>mail.example.test</Server><Port>110</Port><SSL>off</SSL></Protocol>
         </Account></Response></Autodiscover>
        """
        let outcome = try AutodiscoverParser.parse(Array(ok.utf8), email: email, source: src)
        guard case .settings(let c) = outcome else { Issue.record("expected settings"); return }
        #expect(c.map(\.label) == ["imap mail.example.test:993 ssl", "smtp mail.example.test:587 starttls", "pop3 mail.example.test:110 plain"])
        #expect(c[1].username == "alice")
        let redirect = "<Autodiscover><Response><Account><Action>redirectAddr</Action><RedirectAddr>bob@elsewhere.test</RedirectAddr></Account></Response></Autodiscover>"
        #expect(try AutodiscoverParser.parse(Array(redirect.utf8), email: email, source: src) == .redirectAddress("bob@elsewhere.test"))
        let error = "<Autodiscover><Response><Error><ErrorCode>500</ErrorCode><Message>Invalid request</Message></Error></Response></Autodiscover>"
        #expect(throws: ClientConfigParseError.autodiscoverError("500 Invalid request")) {
            try AutodiscoverParser.parse(Array(error.utf8), email: email, source: src)
        }
        #expect(String(decoding: AutodiscoverParser.requestBody(email: "a<b@example.test"), as: UTF8.self).contains("<EMailAddress>a&lt;b@example.test</EMailAddress>"))
    }

    @Test func srvTargetDotMeansNotOffered() throws {
        let recs = [SRVRecordLite.make(0, 0, 0, "."), SRVRecordLite.make(10, 1, 993, "imap.example.test"), SRVRecordLite.make(5, 1, 993, "imap2.example.test")]
        let c = ClientSRV.candidates(recs, name: "_imaps._tcp.example.test", service: .imap, security: .ssl, email: email, evidenceID: "e")
        #expect(c.map(\.host) == ["imap2.example.test", "imap.example.test"])
        #expect(c.first?.priority == 5)
    }
}

enum SRVRecordLite {
    static func make(_ p: UInt16, _ w: UInt16, _ port: UInt16, _ t: String) -> SRVRecord {
        SRVRecord(priority: p, weight: w, port: port, target: dn(t))
    }
}
