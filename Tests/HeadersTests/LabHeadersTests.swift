import Foundation
import LabSupport
import Testing
import _CryptoExtras

/// A real message through the lab: DKIM-signed with the lab's key for good.lab.test (selector
/// sel1, published in the lab zone), sent with swaks over STARTTLS to the good MX, read back
/// from alice's Maildir, and explained by the `mxray headers` executable with keys fetched
/// through the lab resolver.
@Suite(.serialized) struct LabHeadersTests {
    static func mxrayBinary() throws -> String {
        var dir = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("mxray").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        struct NoBinary: Error, CustomStringConvertible { var description: String { "the mxray executable was not built next to the tests (run swift build first)" } }
        throw NoBinary()
    }

    /// Finds the delivered copy by its token in new/ or cur/ (another test may have read it).
    static func delivered(_ maildir: String, token: String, within seconds: Double) throws -> String? {
        let deadline = Date().addingTimeInterval(seconds)
        repeat {
            for sub in ["new", "cur"] {
                let dir = maildir + "/" + sub
                for name in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] {
                    let path = dir + "/" + name
                    if let d = FileManager.default.contents(atPath: path), String(decoding: d.prefix(8192), as: UTF8.self).contains(token) {
                        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("mxray-headers-\(token).eml").path
                        _ = FileManager.default.createFile(atPath: copy, contents: d)
                        return copy
                    }
                }
            }
            usleep(200_000)
        } while Date() < deadline
        return nil
    }

    @Test func labMessageIsExplained() throws {
        let lab = try LabEnvironment.require()
        let mx = try lab.address("GOOD_MX1")
        let token = "hdr-\(UUID().uuidString.prefix(8))"
        let pem = try String(contentsOfFile: lab.directory + "/dkim/good.sel1.key", encoding: .utf8)
        let signer = TestDKIMSigner(key: try _RSA.Signing.PrivateKey(pemRepresentation: pem), domain: "good.lab.test", selector: "sel1")
        let date = Date()
        let fmt = DateFormatter()
        fmt.locale = Locale(identifier: "en_US_POSIX")
        fmt.timeZone = TimeZone(identifier: "Europe/Berlin")  // a non-UTC zone, to be normalised
        fmt.dateFormat = "EEE, d MMM yyyy HH:mm:ss Z"
        let body = [
            "Date: \(fmt.string(from: date))", "From: Alice <\(lab.user)>", "To: \(lab.user)",
            "Subject: headers lab \(token)", "Message-ID: <\(token)@good.lab.test>", "", "Token \(token).", "",
        ].joined(separator: "\r\n")
        let signed = try signer.sign(body)
        let sent = try LabEnvironment.run(["swaks", "--silent", "2", "--timeout", "15", "--server", "\(mx):25", "--tls",
                                           "--helo", "client.example.net", "--from", lab.user, "--to", lab.user, "--data", "-"],
                                          input: signed, timeout: 40)
        #expect(sent.status == 0, "swaks failed: \(sent.output)")
        let maildir = lab.directory + "/mail/good.lab.test/alice/Maildir"
        guard let file = try Self.delivered(maildir, token: token, within: 20) else {
            Issue.record("message \(token) did not arrive in \(maildir) within 20 s"); return
        }
        defer { try? FileManager.default.removeItem(atPath: file) }
        // The text report: the Date row, then the hop stamped by the good MX with its TLS and delay.
        let text = try LabEnvironment.run([try Self.mxrayBinary(), "headers", file, "--resolver", lab.resolver], timeout: 30)
        #expect(text.status == 0, "mxray headers exited \(text.status): \(text.output)")
        let lines = text.output.split(separator: "\n").map(String.init)
        let dateRow = lines.firstIndex { $0.contains("(Date field)") }
        let hopRow = lines.firstIndex { $0.contains("mx1.good.lab.test") && $0.contains("client.example.net [127.0.0.1]") }
        #expect(dateRow != nil && hopRow != nil && dateRow! < hopRow!, "\(text.output)")
        if let hopRow { #expect(lines[hopRow].contains("ESMTPS") && lines[hopRow].contains("TLSv1.3") && lines[hopRow].contains(" +")) }
        #expect(text.output.contains("DKIM d=good.lab.test s=sel1 rsa-sha256: pass (2048-bit key)"), "\(text.output)")
        #expect(text.output.contains("keys from resolver \(lab.resolver):53"))
        // The same through JSON, with numbers.
        let json = try LabEnvironment.run([try Self.mxrayBinary(), "headers", file, "--resolver", lab.resolver, "--format", "json"], timeout: 30)
        let obj = try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any]
        let hops = obj?["hops"] as? [[String: Any]] ?? []
        #expect(hops.count >= 1)
        #expect(hops.last?["by"] as? String == "mx1.good.lab.test")
        #expect(hops.last?["side"] as? String == "receiver")
        let delay = hops.last?["delaySeconds"] as? Int
        #expect(delay != nil && delay! >= -1 && delay! < 60, "delay \(String(describing: delay))")
        #expect((obj?["dkim"] as? [[String: Any]])?.first?["result"] as? String == "pass")
        #expect((obj?["timing"] as? [String: Any])?["total"] as? Int == delay)
    }
}
