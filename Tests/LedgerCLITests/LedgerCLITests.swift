import Foundation
import LabSupport
import Testing
import Ledger
import MailLogs
@testable import MXRayCLI

/// `mxray ledger …` and `mxray logs … --ledger` end to end, in process (MXRayMain.run is what
/// main.swift calls), on temporary files.
@Suite struct LedgerCLITests {
    static func dir() -> String {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("mxray-ledger-cli-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }

    static func keygen(_ d: String) async throws -> String {
        let key = d + "/ledger.key"
        #expect(await MXRayMain.run(["ledger", "keygen", "--name", "ledger.test/cli", "--out", key]) == 0)
        let mode = try #require(try FileManager.default.attributesOfItem(atPath: key)[.posixPermissions] as? Int)
        #expect(mode == 0o600, "key file mode \(String(mode, radix: 8))")
        #expect(FileManager.default.fileExists(atPath: key + ".pub"))
        // keygen never overwrites.
        #expect(await MXRayMain.run(["ledger", "keygen", "--name", "ledger.test/cli", "--out", key]) == 3)
        return key
    }

    /// Three failed IMAP logins in a row from one address: `mxray logs --ledger` writes the
    /// brute-force alert into the ledger; `verify` accepts the log and `show` finds the entry.
    @Test func bruteForceAlertLandsInTheLedger() async throws {
        let d = Self.dir()
        defer { try? FileManager.default.removeItem(atPath: d) }
        let key = try await Self.keygen(d)
        let log = d + "/mail.log"
        try """
        Nov 29 10:13:00 mx1 dovecot: imap-login: Disconnected (auth failed, 1 attempts in 2 secs): user=<alice>, method=PLAIN, rip=203.0.113.9, lip=127.0.20.1, TLS, session=<a1>
        Nov 29 10:13:03 mx1 dovecot: imap-login: Disconnected (auth failed, 1 attempts in 2 secs): user=<bob>, method=PLAIN, rip=203.0.113.9, lip=127.0.20.1, TLS, session=<a2>
        Nov 29 10:13:06 mx1 dovecot: imap-login: Disconnected (auth failed, 1 attempts in 2 secs): user=<carol>, method=PLAIN, rip=203.0.113.9, lip=127.0.20.1, TLS, session=<a3>

        """.write(toFile: log, atomically: true, encoding: .utf8)
        let ledger = d + "/evidence.ledger"
        #expect(await MXRayMain.run(["logs", log, "--year", "2026", "--format", "json", "--ledger", ledger, "--ledger-key-file", key]) == 0)
        #expect(await MXRayMain.run(["ledger", "verify", ledger, "--vkey-file", key + ".pub"]) == 0)

        let scan = try LedgerFile.read(path: ledger)
        let alerts = scan.entries.filter { $0.entry.kind == "alert.brute-force" }
        #expect(alerts.count == 1)
        let payload = try #require(alerts.first?.entry.payloadText)
        #expect(payload.contains("203.0.113.9") && payload.contains("\"count\":3"), "\(payload)")
        // The entry carries its own millisecond timestamp, close to now.
        let ms = try #require(alerts.first?.entry.timestampMillis)
        #expect(abs(Double(ms) / 1000 - Date().timeIntervalSince1970) < 600)

        let shown = try LedgerRender.show(scan, format: "json", kind: "alert.brute-force")
        #expect(shown.contains("\"kind\" : \"alert.brute-force\"") && shown.contains("203.0.113.9"), "\(shown)")
        #expect(try LedgerRender.show(scan, format: "text").contains("alert.brute-force"))
        #expect(await MXRayMain.run(["ledger", "show", ledger]) == 0)
        let v = LedgerVerification.verify(scan, key: try LedgerKeys.loadVerifier(path: key + ".pub"))
        #expect(v.isValid && v.signedCheckpoints == v.entries)

        // The same log again adds nothing: an alert is recorded once.
        #expect(await MXRayMain.run(["logs", log, "--year", "2026", "--format", "json", "--ledger", ledger, "--ledger-key-file", key]) == 0)
        #expect(try LedgerFile.read(path: ledger).entries.count == scan.entries.count)

        // One changed byte in the alert's payload: verify fails (exit 1) and names entry 0.
        var bytes = Array(FileManager.default.contents(atPath: ledger)!)
        let at = alerts[0].offset + 60
        bytes[at] ^= 0x20
        try Data(bytes).write(to: URL(fileURLWithPath: ledger))
        #expect(await MXRayMain.run(["ledger", "verify", ledger, "--vkey-file", key + ".pub"]) == 1)
        let text = LedgerRender.verifyText(LedgerVerification.verify(LedgerScan(bytes), key: nil), path: ledger)
        #expect(text.hasPrefix("FAILED") && text.contains("entry \(alerts[0].entry.index)"), "\(text)")
    }

    /// The ledger checked with nothing of mxray: Python's hashlib for the Merkle tree and
    /// `openssl pkeyutl` for the Ed25519 signatures (independent-verify.py beside this file).
    @Test func independentToolsVerifyTheLedger() async throws {
        let d = Self.dir()
        defer { try? FileManager.default.removeItem(atPath: d) }
        let key = try await Self.keygen(d)
        let ledger = d + "/l.ledger"
        for i in 0..<7 {
            #expect(await MXRayMain.run(["ledger", "append", ledger, "--kind", "report", "--payload", "{\"run\":\(i)}", "--key-file", key]) == 0)
        }
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("independent-verify.py").path
        let vkey = try String(contentsOfFile: key + ".pub", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let tools = try LabEnvironment.run(["sh", "-c", "command -v python3 && command -v openssl"])
        guard tools.status == 0 else {
            if ProcessInfo.processInfo.environment["CI"] == "true" { Issue.record("python3 and openssl are needed for the independent check") }
            else { print("LedgerCLITests: python3 or openssl missing, independent check skipped") }
            return
        }
        let ok = try LabEnvironment.run(["python3", script, ledger, vkey], timeout: 60)
        #expect(ok.status == 0 && ok.output.contains("7 entries, 7 signed checkpoints"), "\(ok.output)")
        print("LedgerCLITests: \(ok.output.trimmingCharacters(in: .whitespacesAndNewlines))")
        var bytes = Array(FileManager.default.contents(atPath: ledger)!)
        bytes[bytes.count - 30] ^= 1
        try Data(bytes).write(to: URL(fileURLWithPath: ledger))
        let bad = try LabEnvironment.run(["python3", script, ledger, vkey], timeout: 60)
        #expect(bad.status == 1 && bad.output.contains("FAILED"), "\(bad.output)")
    }

    @Test func appendProofAndVerifyFromTheCommandLine() async throws {
        let d = Self.dir()
        defer { try? FileManager.default.removeItem(atPath: d) }
        let key = try await Self.keygen(d)
        let ledger = d + "/l.ledger"
        for i in 0..<5 {
            #expect(await MXRayMain.run(["ledger", "append", ledger, "--kind", "change", "--payload", "{\"step\":\(i)}", "--key-file", key]) == 0)
        }
        #expect(await MXRayMain.run(["ledger", "append", ledger, "--kind", "change", "--payload", "not json", "--key-file", key]) == 2)
        #expect(await MXRayMain.run(["ledger", "append", ledger, "--kind", "Bad Kind", "--payload", "{}"]) == 2)
        let scan = try LedgerFile.read(path: ledger)
        #expect(scan.entries.count == 5 && scan.checkpoints.count == 5)

        // The printed inclusion proof verifies with the library's verifier.
        let json = try LedgerRender.proof(scan, index: 3, from: nil, size: nil)
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let proof = (doc["proof"] as? [String] ?? []).map { Array(Data(base64Encoded: $0)!) }
        let root = Array(Data(base64Encoded: doc["root"] as! String)!)
        try MerkleVerifier.verifyInclusion(index: 3, size: 5, leafHash: scan.entries[3].entry.leafHash, proof: proof, root: root)
        let cjson = try LedgerRender.proof(scan, index: nil, from: 2, size: 5)
        #expect(cjson.contains("\"size1\" : 2"))
        #expect(await MXRayMain.run(["ledger", "proof", ledger, "--index", "9"]) == 2)

        // A key that others can read is refused.
        chmod(key, 0o644)
        #expect(await MXRayMain.run(["ledger", "append", ledger, "--kind", "change", "--payload", "{}", "--key-file", key]) == 2)
    }
}
