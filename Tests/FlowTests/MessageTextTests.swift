import Foundation
import MailWire
import Probes
import Testing

@Suite struct MessageTextTests {
    @Test func dotStuffingDoublesLeadingDotsAndEndsWithTheTerminator() {
        let wire = MessageText.dotStuffed(Array("Subject: x\n\n.hidden\n..two\nok.\n.".utf8))
        #expect(String(decoding: wire, as: UTF8.self) == "Subject: x\r\n\r\n..hidden\r\n...two\r\nok.\r\n..\r\n.\r\n")
    }

    @Test func bareCRAndLFBecomeCRLF() {
        let wire = MessageText.dotStuffed([0x61, 0x0D, 0x62, 0x0A, 0x63, 0x0D, 0x0A, 0x64])
        #expect(wire == Array("a\r\nb\r\nc\r\nd\r\n.\r\n".utf8))
    }

    @Test func aLoneDotLineCannotEndTheMessageEarly() {
        let wire = String(decoding: MessageText.dotStuffed(Array("a\r\n.\r\nb\r\n".utf8)), as: UTF8.self)
        #expect(wire.components(separatedBy: "\r\n.\r\n").count == 2)  // only the real terminator
        #expect(wire.hasSuffix("b\r\n.\r\n"))
    }

    @Test func emptyMessageStillTerminates() {
        #expect(MessageText.dotStuffed([]) == Array(".\r\n".utf8))
    }

    @Test func headersWithLineBreaksAreRefused() {
        #expect(throws: MessageText.HeaderError.self) { try MessageText.checkHeader("Subject: a\r\nBcc: x@example.org") }
        #expect(throws: MessageText.HeaderError.self) { try MessageText.checkHeader("No colon here") }
        #expect(throws: MessageText.HeaderError.self) { try MessageText.checkHeader("Bad Name: v") }
        let ok = try? MessageText.checkHeader("X-Test:  value  ")
        #expect(ok?.name == "X-Test" && ok?.value == "value")
    }

    @Test func builtMessageHasTheHeadersAndTheToken() {
        let m = String(decoding: MessageText.build(from: "a@example.org", to: ["b@example.net"], subject: "s",
                                                   extraHeaders: [("X-MXRay-Token", "t1")], body: "hi"), as: UTF8.self)
        #expect(m.contains("\r\nX-MXRay-Token: t1\r\n"))
        #expect(m.contains("From: <a@example.org>\r\n"))
        #expect(m.contains("\r\n\r\nhi\r\n"))
        #expect(m.hasPrefix("Date: "))
    }

    @Test func testStringsAreTheStandardOnes() {
        let eicar = FilterTestString.eicar.text
        #expect(eicar.utf8.count == 68)
        #expect(eicar.hasPrefix("X5O!P%@AP[4\\PZX54(P^)7CC)7}$"))
        #expect(eicar.hasSuffix("-TEST-FILE!$H+H*"))
        #expect(FilterTestString.gtube.text.utf8.count == 68)
        #expect(FilterTestString.gtube.text.contains("GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X"))
        let gm = String(decoding: FilterTestString.gtube.message(from: "a@x.org", to: ["b@y.org"], token: "tok"), as: UTF8.self)
        #expect(gm.contains(FilterTestString.gtube.text) && gm.contains("X-MXRay-Token: tok"))
        let em = String(decoding: FilterTestString.eicar.message(from: "a@x.org", to: ["b@y.org"], token: "tok"), as: UTF8.self)
        #expect(em.contains("multipart/mixed") && em.contains("\r\n\r\n" + eicar + "\r\n--mxray-tok--"))
    }

    @Test func queueIDsAreFoundInReplies() {
        #expect(SendResult.queueID(in: SMTPReply(code: 250, lines: ["2.0.0 Ok: queued as 7A524F86BEE"])) == "7A524F86BEE")
        #expect(SendResult.queueID(in: SMTPReply(code: 250, lines: ["OK id=1tQ2ab-000Abc-1x"])) == "1tQ2ab-000Abc-1x")
        #expect(SendResult.queueID(in: SMTPReply(code: 250, lines: ["Ok"])) == nil)
    }

    @Test func stagesAreOrdered() {
        #expect(SendStage.connect < SendStage.banner && SendStage.rcpt < SendStage.data)
        #expect(SendStage.allCases.count == 8)
    }
}
