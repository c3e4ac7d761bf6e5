import Testing
import MailCore

@Suite struct TranscriptTests {
    @Test func recordsAndRedacts() {
        var t = Transcript(label: "smtp 127.0.0.1:25")
        t.append(.received, "220 mx ESMTP", at: 1.5)
        t.recordRedacted(.sent, visiblePrefix: "AUTH PLAIN", at: 2)
        #expect(t.lines.count == 2)
        #expect(t.lines[1].text == "AUTH PLAIN <redacted>")
        #expect(t.lines[1].redacted)
        #expect(t.rendered().contains("S: 220 mx ESMTP"))
        #expect(!t.rendered().contains("dXNlcg"))
    }

    @Test func escapesControlCharacters() {
        var t = Transcript(label: "x")
        t.append(.received, "250 ok\u{1B}[2J\r\n", at: 0)
        #expect(t.lines[0].text == "250 ok\\x1B[2J\\r\\n")
    }

    @Test func boundsLines() {
        var t = Transcript(label: "x", maxLines: 3)
        for i in 0..<10 { t.append(.received, "\(i)", at: Double(i)) }
        #expect(t.lines.count == 3)
        #expect(t.droppedLines == 7)
    }

    @Test func rfcRefPrints() {
        #expect(RFCRef(7208, "4.6.4").description == "RFC 7208 §4.6.4")
        #expect(RFCRef(5321).url == "https://www.rfc-editor.org/rfc/rfc5321")
    }
}
