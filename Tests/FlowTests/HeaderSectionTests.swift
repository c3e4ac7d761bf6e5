import Diagnosis
import Foundation
import Testing

@Suite struct HeaderSectionTests {
    /// Header section as Postfix and a verifier write it (folded lines, comments, TLS note).
    static let sample = """
    Return-Path: <alice@good.lab.test>\r
    Authentication-Results: mx1.good.lab.test; spf=pass (sender IP is 127.0.0.1)\r
    \tsmtp.mailfrom=good.lab.test; dkim=fail (bad signature) header.d=good.lab.test;\r
     dmarc=none\r
    Received: from mxray.invalid (unknown [127.0.0.1])\r
    \t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits))\r
    \t(No client certificate requested)\r
    \tby mx1.good.lab.test (Postfix) with ESMTPSA id 4F2C1F86BEE\r
    \tfor <alice@good.lab.test>; Sun, 29 Nov 2026 19:05:01 +0000 (UTC)\r
    Received: from client.example (client.example [192.0.2.7]) by submit.example with ESMTP; 29 Nov 2026 19:04:58 -0100\r
    Subject: mxray round trip\r
    \r
    body: Received: from nowhere\r

    """

    @Test func unfoldsFieldsAndStopsAtTheBody() {
        let f = HeaderSection.parse(Array(Self.sample.utf8))
        #expect(f.map(\.name) == ["Return-Path", "Authentication-Results", "Received", "Received", "Subject"])
        #expect(f[1].value.contains("smtp.mailfrom=good.lab.test; dkim=fail"))
        #expect(!f.contains { $0.value.contains("nowhere") })
    }

    @Test func receivedChainInOrderWithDatesAndTLS() {
        let hops = ReceivedHop.chain(HeaderSection.parse(Array(Self.sample.utf8)))
        #expect(hops.count == 2)
        #expect(hops[0].from == "mxray.invalid" && hops[0].by == "mx1.good.lab.test" && hops[0].with == "ESMTPSA")
        #expect(hops[0].tls)
        #expect(hops[0].date == Date(timeIntervalSince1970: 1_795_979_101))
        #expect(hops[1].tls == false && hops[1].from == "client.example")
        // 19:04:58 -0100 is 20:04:58 UTC: the later hop's clock is an hour behind (skew kept, not hidden).
        #expect(hops[1].date == Date(timeIntervalSince1970: 1_795_979_101 - 3 + 3600))
    }

    @Test func authenticationResultsMethods() {
        let ar = AuthenticationResults.all(HeaderSection.parse(Array(Self.sample.utf8)))
        #expect(ar.count == 1)
        #expect(ar[0].authservID == "mx1.good.lab.test")
        #expect(ar[0].methods.map { "\($0.method)=\($0.result)" } == ["spf=pass", "dkim=fail", "dmarc=none"])
        #expect(ar[0].methods[0].properties == "smtp.mailfrom=good.lab.test")
        #expect(AuthenticationResults("example.org; none").methods.isEmpty)
    }

    @Test func garbageAndHugeInputsStayBounded() {
        var junk: [UInt8] = []
        var g = SystemRandomNumberGenerator()
        for _ in 0..<20_000 { junk.append(UInt8.random(in: 0...255, using: &g)) }
        _ = HeaderSection.parse(junk)
        let many = Array(String(repeating: "X-A: b\r\n", count: 10_000).utf8)
        #expect(HeaderSection.parse(many).count == HeaderSection.maxFields)
        let long = Array(("X-Long: " + String(repeating: "a", count: 200_000) + "\r\n").utf8)
        #expect(HeaderSection.parse(long).first!.value.count <= HeaderSection.maxValue)
        let folded = Array(("X-F: a\r\n" + String(repeating: " b\r\n", count: 60_000)).utf8)
        #expect(HeaderSection.parse(folded).first!.value.count <= HeaderSection.maxValue)
    }

    @Test func commentsAreStrippedWithNestingAndQuotes() {
        #expect(HeaderSection.strippingComments("a (b (c) d) e \"(kept)\"") == "a  e \"(kept)\"")
        #expect(HeaderSection.strippingComments("unclosed (comment") == "unclosed ")
    }
}
