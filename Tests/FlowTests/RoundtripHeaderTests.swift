import Diagnosis
import Foundation
import MailAuth
import Testing

/// The round trip reads the arrived message's header section with the one header parser
/// (MailAuth/Message); these tests pin what the flow report takes from it.
@Suite struct RoundtripHeaderTests {
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
    Received: from nowhere by body.example; 29 Nov 2026 19:04:58 +0000\r

    """

    static func summary(_ headers: [UInt8]) -> RoundtripSummary {
        FlowAnalysisTests.roundtrip(status: "arrived", folder: "INBOX", junk: false, headers: String(decoding: headers, as: UTF8.self))
    }

    @Test func receivedChainNewestFirstWithDatesAndTLSAndNothingFromTheBody() {
        let hops = Self.summary(Array(Self.sample.utf8)).received
        #expect(hops.count == 2)
        #expect(hops[0].from == "mxray.invalid" && hops[0].by == "mx1.good.lab.test" && hops[0].with == "ESMTPSA")
        #expect(hops[0].tls.used == true)
        #expect(hops[0].date?.epochSeconds == 1_795_979_101)
        #expect(hops[1].tls.used != true && hops[1].from == "client.example")
        // 19:04:58 -0100 is 20:04:58 UTC: the later hop's clock is an hour behind (skew kept, not hidden).
        #expect(hops[1].date?.epochSeconds == 1_795_979_101 - 3 + 3600)
    }

    @Test func authenticationResultsMethods() {
        let ar = Self.summary(Array(Self.sample.utf8)).authenticationResults
        #expect(ar.count == 1)
        #expect(ar[0].authservID == "mx1.good.lab.test")
        #expect(ar[0].results.map { "\($0.method)=\($0.result)" } == ["spf=pass", "dkim=fail", "dmarc=none"])
        #expect(ar[0].results[0].property("smtp", "mailfrom") == "good.lab.test")
    }

    @Test func failedMethodsBecomeTheAuthFailedFinding() {
        let r = FlowAnalysis.roundtrip(Self.summary(Array(Self.sample.utf8)))
        let f = r.findings.first { $0.id == "flow.roundtrip.auth-failed" }
        #expect(f?.detail.contains("dkim=fail header.d=good.lab.test") == true)
        #expect(f?.detail.contains("spf=") == false)
    }

    @Test func garbageAndHugeHeaderSectionsStayBounded() {
        var junk: [UInt8] = []
        var g = SystemRandomNumberGenerator()
        for _ in 0..<20_000 { junk.append(UInt8.random(in: 0...255, using: &g)) }
        _ = Self.summary(junk)
        let many = Array(String(repeating: "Received: from a by b; 29 Nov 2026 19:04:58 +0000\r\n", count: 5_000).utf8)
        #expect(Self.summary(many).received.count <= 100)
        let long = Array(("Authentication-Results: x; " + String(repeating: "spf=pass ", count: 100_000) + "\r\n").utf8)
        #expect(Self.summary(long).authenticationResults.count <= 50)
    }
}
