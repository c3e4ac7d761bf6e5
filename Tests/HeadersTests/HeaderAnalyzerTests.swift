import Crypto
import DNSWire
import Diagnosis
import MailAuth
import MailCore
import Reporting
import Testing
import _CryptoExtras

/// A minimal RFC 6376 signer for tests (relaxed/relaxed, rsa-sha256), built on the verifier's
/// own canonicalisation so that a pass means the verifier and the RFC agree on the bytes.
struct TestDKIMSigner {
    let key: _RSA.Signing.PrivateKey
    let domain: String
    let selector: String

    var keyRecord: String { "v=DKIM1; k=rsa; p=" + Base64.encode(Array(key.publicKey.derRepresentation)) }

    /// Returns the message with a DKIM-Signature field prepended. `message` uses CRLF.
    func sign(_ message: String, headers: [String] = ["from", "to", "subject", "date"]) throws -> String {
        let parts = message.components(separatedBy: "\r\n\r\n")
        let head = parts[0], body = parts.dropFirst().joined(separator: "\r\n\r\n")
        var fields: [String] = []
        for line in head.components(separatedBy: "\r\n") {
            if line.first == " " || line.first == "\t" { fields[fields.count - 1] += "\r\n" + line } else { fields.append(line) }
        }
        let bh = Base64.encode(Array(SHA256.hash(data: DKIMVerifier.canonicalBodyForTesting(Array(body.utf8), .relaxed))))
        var data = ""
        for h in headers {
            if let f = fields.last(where: { $0.lowercased().hasPrefix(h + ":") }) { data += DKIMVerifier.canonicalHeaderForTesting(f, .relaxed) + "\r\n" }
        }
        let sig = "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=\(domain); s=\(selector); h=\(headers.joined(separator: ":")); bh=\(bh); b="
        data += DKIMVerifier.canonicalHeaderForTesting(sig, .relaxed)
        let b = try key.signature(for: SHA256.hash(data: Array(data.utf8)), padding: .insecurePKCS1v1_5)
        return sig + Base64.encode(Array(b.rawRepresentation)) + "\r\n" + message
    }
}

@Suite struct HeaderAnalyzerTests {
    static let message = """
        Authentication-Results: mx.receiver.example; spf=fail smtp.mailfrom=bounce@sender.example;
         dkim=pass header.d=sender.example; dmarc=fail header.from=sender.example
        Received: from relay.receiver.example (relay.receiver.example [10.0.0.2]) by mx.receiver.example with ESMTP id A; Sun, 29 Nov 2026 18:59:00 +0000
        Received: from out.sender.example (out.sender.example [192.0.2.25])
         (using TLSv1.3 with cipher TLS_AES_128_GCM_SHA256 (128/128 bits))
         by relay.receiver.example (Postfix) with ESMTPS id B; Sun, 29 Nov 2026 19:58:00 +0100
        Received: from laptop (unknown [198.51.100.7]) by out.sender.example with ESMTPSA id C; Sun, 29 Nov 2026 10:50:30 -0800
        Received: by localhost with local id D
        Date: Sun, 29 Nov 2026 18:50:00 +0000
        From: Alice <alice@sender.example>
        To: bob@receiver.example
        Subject: quarterly report
        Message-ID: <q4@sender.example>
        X-Spam-Flag: YES
        X-Spam-Status: Yes, score=7.2 required=5.0 tests=SPF_FAIL,DMARC_FAIL

        Numbers attached.

        """.replacingOccurrences(of: "\n", with: "\r\n")

    static func signed() throws -> (String, InMemoryDNSResolver) {
        let signer = TestDKIMSigner(key: try _RSA.Signing.PrivateKey(keySize: .bits2048), domain: "sender.example", selector: "sel")
        var zone = InMemoryDNSResolver.Zone()
        let rec = Array(signer.keyRecord.utf8)
        zone.add(try DomainName("sel._domainkey.sender.example"), .txt(TXTRecord(strings: stride(from: 0, to: rec.count, by: 255).map { Array(rec[$0..<min($0 + 255, rec.count)]) })))
        return (try signer.sign(message), InMemoryDNSResolver(zone: zone))
    }

    @Test func pathTimingVerdictsAndExplanation() async throws {
        let (msg, resolver) = try Self.signed()
        let a = try await HeaderAnalyzer(resolver: resolver, keySource: "supplied keys").analyze(message: Array(msg.utf8))
        // Hops in travel order; zones normalised (10:50:30 -0800 and 19:58:00 +0100 are UTC 18:50:30 and 18:58:00).
        #expect(a.hops.map(\.by) == ["localhost", "out.sender.example", "relay.receiver.example", "mx.receiver.example"])
        #expect(a.hops.map(\.date) == [nil, "2026-11-29T18:50:30Z", "2026-11-29T18:58:00Z", "2026-11-29T18:59:00Z"])
        #expect(a.hops.map(\.delaySeconds) == [nil, 30, 450, 60])
        #expect(a.hops.map(\.side) == ["sender", "sender", "receiver", "receiver"])
        #expect(a.hops[0].problems.contains { $0.contains("did not stamp a time") })
        #expect(a.hops[2].tls.version == "TLSv1.3" && a.hops[3].tls.used == false && a.hops[1].authenticated)
        #expect(a.timing.beforeSenderServer == 30 && a.timing.inTransit == 450 && a.timing.atReceiver == 60 && a.timing.total == 540)
        #expect(a.timing.slowest?.contains("in transit") == true)
        // Verdicts from the receiver, and our own DKIM with the supplied key.
        #expect(a.verdicts.map { "\($0.method)=\($0.result)" } == ["spf=fail", "dkim=pass", "dmarc=fail"])
        #expect(a.verdicts.allSatisfy { $0.isReceivers })
        #expect(a.dkim.count == 1 && a.dkim[0].result == "pass" && a.dkim[0].keySize == 2048)
        #expect(a.arc.status == .none)
        // The spam placement explained: SPF and DMARC failed, and the record to fix.
        #expect(a.explanations.map(\.check) == ["spf", "dmarc", "filter"])
        #expect(a.explanations[0].fix.contains("TXT at sender.example") && a.explanations[0].fix.contains("10.0.0.2") == false)
        #expect(a.explanations[0].what.contains("192.0.2.25"))
        #expect(a.explanations[1].fix.contains("_dmarc.sender.example"))
        let ids = Set(a.findings.map(\.id))
        #expect(ids == ["headers.hop.date-missing", "headers.hop.slow", "headers.hop.plaintext", "headers.spf.fail", "headers.dmarc.fail", "headers.dkim.ok", "headers.spam.flagged"])
        // Every finding points at evidence that exists.
        let evidence = Set(a.evidence.map(\.id))
        #expect(a.findings.allSatisfy { f in !f.evidenceIDs.isEmpty && f.evidenceIDs.allSatisfy(evidence.contains) })
        let text = HeadersRenderer.text(a)
        #expect(text.contains("Where the time went: before the sender's server 30 s · in transit 7 min 30 s · at the receiver 1 min 0 s · total 9 min 0 s"))
        #expect(text.contains("DKIM d=sender.example s=sel rsa-sha256: pass (2048-bit key)"))
        #expect(HeadersRenderer.markdown(a).contains("| 3 | receiver | relay.receiver.example |"))
        #expect(HeadersRenderer.html(a).contains("<td>relay.receiver.example</td>"))
        #expect(try HeadersRenderer.json(a).contains("\"delaySeconds\" : 450"))
    }

    @Test func alteredBodyAndWrongClockAreShown() async throws {
        var (msg, resolver) = try Self.signed()
        msg = msg.replacingOccurrences(of: "Numbers attached.", with: "Numbers attached. -- footer added by a gateway")
        msg = msg.replacingOccurrences(of: "18:59:00 +0000", with: "18:57:00 +0000")  // mx stamped before the relay
        let a = try await HeaderAnalyzer(resolver: resolver, keySource: "supplied keys").analyze(message: Array(msg.utf8))
        #expect(a.hops[3].delaySeconds == -60)
        #expect(a.hops[3].problems.contains { $0.contains("60 s before hop 3") })
        #expect(a.dkim[0].result == "fail" && a.dkim[0].reason?.contains("body hash") == true)
        let ids = Set(a.findings.map(\.id))
        #expect(ids.isSuperset(of: ["headers.hop.clock-skew", "headers.dkim.fail", "headers.dkim.disagrees"]))
        #expect(a.explanations.contains { $0.check == "dkim" && $0.fix.contains("body changed after signing") })
    }

    @Test func hostileTextIsMadeVisibleNotExecuted() async throws {
        let msg = "Subject: \u{1B}[2Jgotcha\r\nReceived: by evil\u{07}.example; Sun, 29 Nov 2026 18:50:03 +0000\r\n\r\n"
        let a = try await HeaderAnalyzer(resolver: InMemoryDNSResolver(), keySource: "none").analyze(message: Array(msg.utf8))
        let text = HeadersRenderer.text(a)
        #expect(!text.contains("\u{1B}") && !text.contains("\u{07}"))
        #expect(text.contains("\\u{1B}[2Jgotcha"))
        #expect(HeadersRenderer.html(a).contains("\\u{1B}[2Jgotcha") && !HeadersRenderer.html(a).contains("<script"))
        #expect(a.findings.contains { $0.id == "headers.dkim.missing" })
    }
}
