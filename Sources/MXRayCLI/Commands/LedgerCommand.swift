import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Diagnosis
import Ledger
import MailLogs
import Reporting

struct LedgerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledger",
        abstract: "Keep tamper-evident evidence: an append-only Merkle log of reports, changes and alerts with signed checkpoints.",
        discussion: """
        The ledger is one file of checksummed records (docs/ledger.md). Each entry has a kind, its
        own millisecond timestamp and a JSON payload; entries are leaves of an RFC 9162 Merkle tree,
        and after each append a checkpoint (C2SP tlog-checkpoint, Ed25519 signed note) commits to
        the new root. The signing key comes from --key-file, $MXRAY_LEDGER_KEY_FILE or
        $MXRAY_LEDGER_KEY (never from the command line); without a key, entries are unsigned.

        Example:
          mxray ledger keygen --name mx.example.org/evidence --out /etc/mxray/ledger.key
          echo '{"change":"raised smtpd_client_auth_rate_limit"}' | mxray ledger append evidence.ledger --kind change --key-file /etc/mxray/ledger.key
          mxray ledger show evidence.ledger
          mxray ledger proof evidence.ledger --index 0
          mxray ledger verify evidence.ledger --vkey-file /etc/mxray/ledger.key.pub
          mxray logs --anomalies /var/log/mail.log --ledger evidence.ledger --ledger-key-file /etc/mxray/ledger.key
        """,
        subcommands: [LedgerKeygen.self, LedgerAppend.self, LedgerShow.self, LedgerProof.self, LedgerVerify.self]
    )
}

/// Where the signing key comes from: a file path or the environment, never argv (argv is
/// visible to every user through ps and /proc).
struct LedgerKeyOptions: ParsableArguments {
    @Option(name: .customLong("key-file"), help: "Signer key file (PRIVATE+KEY+…, mode 0600). Default: $MXRAY_LEDGER_KEY_FILE, then $MXRAY_LEDGER_KEY (the key text).")
    var keyFile: String?

    func signer() throws -> NoteSignerKey? {
        let env = ProcessInfo.processInfo.environment
        if let path = keyFile ?? env["MXRAY_LEDGER_KEY_FILE"] { return try LedgerKeys.loadSigner(path: path) }
        if let text = env["MXRAY_LEDGER_KEY"] {
            do { return try NoteSignerKey(parsing: text) } catch { throw MXRayError.usage("$MXRAY_LEDGER_KEY: \(error)") }
        }
        return nil
    }
}

enum LedgerKeys {
    static func loadSigner(path: String) throws -> NoteSignerKey {
        var st = stat()
        guard stat(path, &st) == 0, let data = FileManager.default.contents(atPath: path) else {
            throw MXRayError.couldNotRun("cannot read the ledger key \(path)")
        }
        guard st.st_mode & 0o077 == 0 else {
            throw MXRayError.usage("the ledger key \(path) is readable by others (mode \(String(st.st_mode & 0o777, radix: 8))); chmod 600 it")
        }
        do { return try NoteSignerKey(parsing: String(decoding: data, as: UTF8.self)) } catch { throw MXRayError.usage("\(path): \(error)") }
    }

    static func loadVerifier(path: String) throws -> NoteVerifierKey {
        guard let data = FileManager.default.contents(atPath: path) else { throw MXRayError.couldNotRun("cannot read the verifier key \(path)") }
        let text = String(decoding: data, as: UTF8.self)
        if text.hasPrefix("PRIVATE+KEY+") { return try loadSigner(path: path).verifier }
        do { return try NoteVerifierKey(parsing: text) } catch { throw MXRayError.usage("\(path): \(error)") }
    }
}

struct LedgerKeygen: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Create an Ed25519 signing key (file mode 0600) and its verifier key (<out>.pub).",
        discussion: "The key name becomes the checkpoint origin; use a URL-like name you control.\n\nExample:\n  mxray ledger keygen --name mx.example.org/evidence --out ledger.key"
    )
    @Option(help: "Key name (no spaces or '+'), e.g. mx.example.org/evidence.") var name: String
    @Option(help: "Where to write the signer key; <out>.pub gets the verifier key. Never overwrites.") var out: String

    func run() throws {
        let key: NoteSignerKey
        do { key = try NoteSignerKey.generate(name: name) } catch { throw MXRayError.usage("\(error)") }
        let fd = open(out, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw MXRayError.couldNotRun("cannot create \(out): \(String(cString: strerror(errno))) (keygen never overwrites a key)") }
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        do {
            try handle.write(contentsOf: Data((key.encoded + "\n").utf8))
            try handle.synchronize()
            try handle.close()
        } catch { throw MXRayError.couldNotRun("cannot write \(out): \(error.localizedDescription)") }
        do { try (key.verifier.encoded + "\n").write(toFile: out + ".pub", atomically: true, encoding: .utf8) } catch {
            throw MXRayError.couldNotRun("cannot write \(out).pub: \(error.localizedDescription)")
        }
        print(key.verifier.encoded)
    }
}

struct LedgerAppend: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "append",
        abstract: "Append one entry (kind + JSON payload) and a signed checkpoint.",
        discussion: "The payload is read from --payload-file, or stdin when neither --payload nor --payload-file is given.\n\nExample:\n  mxray ledger append evidence.ledger --kind change --payload '{\"what\":\"new DKIM key\"}' --key-file ledger.key"
    )
    @Argument(help: "Ledger file (created when missing).") var ledger: String
    @Option(help: "Entry kind: 1–64 of [a-z0-9._-], e.g. report, change, alert.") var kind: String
    @Option(help: "The JSON payload (not secret: it lands in the log).") var payload: String?
    @Option(name: .customLong("payload-file"), help: "Read the JSON payload from this file (- for stdin).") var payloadFile: String?
    @Option(help: "Checkpoint origin (default: the key name).") var origin: String?
    @OptionGroup var key: LedgerKeyOptions

    func validate() throws {
        guard LedgerEntry.isValidKind(kind) else { throw ValidationError("--kind must be 1–64 of [a-z0-9._-]") }
        if payload != nil && payloadFile != nil { throw ValidationError("give --payload or --payload-file, not both") }
    }

    func run() throws {
        let bytes: [UInt8]
        if let payload { bytes = Array(payload.utf8) }
        else if let f = payloadFile, f != "-" {
            guard let d = FileManager.default.contents(atPath: f) else { throw MXRayError.couldNotRun("cannot read \(f)") }
            bytes = Array(d)
        } else { bytes = Array(FileHandle.standardInput.readDataToEndOfFile()) }
        guard (try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])) != nil else {
            throw MXRayError.usage("the payload is not valid JSON")
        }
        let signer = try key.signer()
        let (entry, cp) = try LedgerSink.append(path: ledger, kind: kind, payload: bytes, signer: signer, origin: origin)
        print("appended entry \(entry.index) (\(kind)) at \(LedgerRender.iso(entry.timestampMillis))" + (cp.map { "; checkpoint size \($0.size) root \(Data($0.root).base64EncodedString())" } ?? "; unsigned (no key)"))
    }
}

/// Appending from any command: opens, appends durably, reports a repaired torn tail on stderr.
enum LedgerSink {
    @discardableResult
    static func append(path: String, kind: String, payload: [UInt8], signer: NoteSignerKey?, origin: String? = nil,
                       now: Int64 = Int64((Date().timeIntervalSince1970 * 1000).rounded())) throws -> (LedgerEntry, Checkpoint?) {
        do {
            let file = try LedgerFile(path: path)
            if let m = file.recoveryMessage { FileHandle.standardError.write(Data("mxray: \(m)\n".utf8)) }
            return try file.append(kind: kind, payload: payload, timestampMillis: now, signer: signer, origin: origin)
        } catch let e as LedgerFileError {
            throw MXRayError.couldNotRun(e.message)
        }
    }
}

/// `mxray logs … --ledger PATH`: every alert the log rules raise becomes a ledger entry
/// (kind `alert.<rule>`, the alert as JSON), so the evidence of an incident cannot be edited
/// afterwards. An alert already in the ledger (same kind and payload) is not added twice.
struct LedgerAlertOptions: ParsableArguments {
    @Option(name: .customLong("ledger"), help: "Append every alert (with --anomalies: every anomaly episode) to this evidence ledger (see `mxray ledger`).") var ledger: String?
    @Option(name: .customLong("ledger-key-file"), help: "Signer key for --ledger (default: $MXRAY_LEDGER_KEY_FILE or $MXRAY_LEDGER_KEY).") var ledgerKeyFile: String?

    @discardableResult
    func record(_ alerts: [LogSummary.Alert]) throws -> Int {
        guard let ledger, !alerts.isEmpty else { return 0 }
        let signer = try LedgerKeyOptions.parse(ledgerKeyFile.map { ["--key-file", $0] } ?? []).signer()
        let existing = Set(((try? LedgerFile.read(path: ledger))?.entries ?? []).map { $0.entry.kind + "\u{0}" + $0.entry.payloadText })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var added = 0
        for a in alerts {
            let payload = try encoder.encode(a)
            let kind = "alert." + a.kind.rawValue
            if existing.contains(kind + "\u{0}" + String(decoding: payload, as: UTF8.self)) { continue }
            try LedgerSink.append(path: ledger, kind: kind, payload: Array(payload), signer: signer)
            added += 1
        }
        return added
    }

    /// `mxray logs --anomalies --ledger PATH`: each anomaly episode becomes an entry of kind
    /// `anomaly.<series>` (`anomaly.auth-failures`) whose payload is the explained alert: series,
    /// detector, expected range, observed value, robust z, reason and the first evidence lines.
    /// An episode already recorded (same series and start) is not added again, even when it has
    /// resolved since (its end time changed).
    @discardableResult
    func recordAnomalies(_ alerts: [LogAnomalies.Alert]) throws -> Int {
        guard let ledger, !alerts.isEmpty else { return 0 }
        let signer = try LedgerKeyOptions.parse(ledgerKeyFile.map { ["--key-file", $0] } ?? []).signer()
        struct Start: Decodable { var series: String; var start: String }
        var existing = Set<String>()
        for s in (try? LedgerFile.read(path: ledger))?.entries ?? [] where s.entry.kind.hasPrefix("anomaly.") {
            if let k = try? JSONDecoder().decode(Start.self, from: Data(s.entry.payload)) { existing.insert(k.series + "\u{0}" + k.start) }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var added = 0
        for a in alerts where !existing.contains(a.series + "\u{0}" + a.start) {
            try LedgerSink.append(path: ledger, kind: Self.anomalyKind(a.series), payload: Array(try encoder.encode(a)), signer: signer)
            existing.insert(a.series + "\u{0}" + a.start)
            added += 1
        }
        return added
    }

    /// `anomaly.` + the series name in ledger-kind characters (`4xx replies` → `anomaly.4xx-replies`).
    static func anomalyKind(_ series: String) -> String {
        let body = series.lowercased().map { c -> Character in
            c.isASCII && (c.isLetter || c.isNumber || c == "." || c == "_" || c == "-") ? c : "-"
        }
        return "anomaly." + String(String(body).prefix(56))
    }
}

struct LedgerShow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "List the entries, the tree size and root, and the latest checkpoint.",
        discussion: "Example:\n  mxray ledger show evidence.ledger --kind alert.brute-force --format json"
    )
    @Argument(help: "Ledger file.") var ledger: String
    @Option(help: "Output: text or json.") var format: String = "text"
    @Option(help: "Only entries of this kind.") var kind: String?
    @Option(help: "Only this entry.") var index: Int?

    func validate() throws {
        guard ["text", "json"].contains(format) else { throw ValidationError("--format must be text or json") }
    }

    func run() throws {
        let scan = try LedgerRender.read(ledger)
        print(try LedgerRender.show(scan, format: format, kind: kind, index: index), terminator: "")
    }
}

struct LedgerProof: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "proof",
        abstract: "Print an inclusion proof (--index) or a consistency proof (--from) as JSON.",
        discussion: "The JSON has the field names of the transparency-dev test vectors, with base64 hashes.\n\nExample:\n  mxray ledger proof evidence.ledger --index 3\n  mxray ledger proof evidence.ledger --from 10 --size 42"
    )
    @Argument(help: "Ledger file.") var ledger: String
    @Option(help: "Entry to prove included.") var index: UInt64?
    @Option(help: "Older tree size to prove consistent with --size.") var from: UInt64?
    @Option(help: "Tree size (default: the whole log).") var size: UInt64?

    func validate() throws {
        if (index == nil) == (from == nil) { throw ValidationError("give --index or --from") }
    }

    func run() throws {
        let scan = try LedgerRender.read(ledger)
        print(try LedgerRender.proof(scan, index: index, from: from, size: size))
    }
}

struct LedgerVerify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Recompute every checksum, root and signature; name the first entry that does not match (exit 1).",
        discussion: "Example:\n  mxray ledger verify evidence.ledger --vkey-file ledger.key.pub --checkpoint saved-checkpoint.txt"
    )
    @Argument(help: "Ledger file.") var ledger: String
    @Option(name: .customLong("vkey-file"), help: "Verifier key file (name+id+key); default: $MXRAY_LEDGER_VKEY, or the key of $MXRAY_LEDGER_KEY_FILE.") var vkeyFile: String?
    @Option(help: "A signed checkpoint saved earlier (e.g. by a monitor): the log must still contain it.") var checkpoint: [String] = []

    func run() throws {
        let env = ProcessInfo.processInfo.environment
        var key: NoteVerifierKey?
        if let vkeyFile { key = try LedgerKeys.loadVerifier(path: vkeyFile) }
        else if let text = env["MXRAY_LEDGER_VKEY"] { key = try? NoteVerifierKey(parsing: text) }
        else if let path = env["MXRAY_LEDGER_KEY_FILE"] { key = try LedgerKeys.loadSigner(path: path).verifier }
        var trusted: [Checkpoint] = []
        for path in checkpoint {
            guard let d = FileManager.default.contents(atPath: path),
                  let note = try? SignedNote(parsing: Array(d)), let cp = try? Checkpoint(body: note.text) else {
                throw MXRayError.usage("\(path) is not a signed checkpoint")
            }
            if let key, !note.isSigned(by: key) { throw MXRayError.usage("\(path) is not signed by \(key.name)") }
            trusted.append(cp)
        }
        let v = LedgerVerification.verify(try LedgerRender.read(ledger), key: key, trusted: trusted)
        print(LedgerRender.verifyText(v, path: ledger), terminator: "")
        if !v.isValid { throw FindingsExit(1) }
    }
}

/// Rendering shared by the ledger subcommands (and their tests).
enum LedgerRender {
    static func read(_ path: String) throws -> LedgerScan {
        do { return try LedgerFile.read(path: path) } catch { throw MXRayError.couldNotRun("\(error)") }
    }

    static func iso(_ millis: Int64) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.string(from: Date(timeIntervalSince1970: Double(millis) / 1000))
    }

    static func b64(_ h: MerkleHash) -> String { Data(h).base64EncodedString() }

    static func show(_ scan: LedgerScan, format: String, kind: String? = nil, index: Int? = nil) throws -> String {
        let root = MerkleHasher.root(scan.entries.map { $0.entry.leafHash })
        let selected = scan.entries.filter { s in (kind == nil || s.entry.kind == kind) && (index == nil || Int(s.entry.index) == index) }
        let latest = scan.checkpoints.last.flatMap { try? SignedNote(parsing: $0.note) }
        if format == "json" {
            var doc: [String: Any] = ["size": scan.entries.count, "root": b64(root)]
            doc["entries"] = selected.map { s -> [String: Any] in
                ["index": s.entry.index, "timestampMillis": s.entry.timestampMillis, "time": iso(s.entry.timestampMillis), "kind": s.entry.kind,
                 "leafHash": b64(s.entry.leafHash),
                 "payload": (try? JSONSerialization.jsonObject(with: Data(s.entry.payload), options: [.fragmentsAllowed])) ?? s.entry.payloadText]
            }
            if let latest { doc["checkpoint"] = latest.encoded }
            if let t = scan.tornTail { doc["tornTailBytes"] = t }
            if let d = scan.damage { doc["damage"] = ["offset": d.offset, "entry": d.position, "reason": d.reason] }
            let data = try JSONSerialization.data(withJSONObject: doc, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
            return String(decoding: data, as: UTF8.self) + "\n"
        }
        var out = "ledger: \(scan.entries.count) entries, root \(b64(root))\n"
        for s in selected {
            out += "#\(s.entry.index)  \(iso(s.entry.timestampMillis))  \(s.entry.kind)  \(s.entry.payloadText)\n"
        }
        if let latest { out += "latest checkpoint:\n" + latest.encoded.dropLast().split(separator: "\n", omittingEmptySubsequences: false).map { $0.isEmpty ? "" : "  " + $0 }.joined(separator: "\n") + "\n" }
        else { out += "no signed checkpoint\n" }
        if let t = scan.tornTail { out += "warning: incomplete record at the end (\(t) bytes); the next append removes it\n" }
        if let d = scan.damage { out += "warning: damaged record at byte \(d.offset) (entry \(d.position)): \(d.reason); run `mxray ledger verify`\n" }
        return out
    }

    static func proof(_ scan: LedgerScan, index: UInt64?, from: UInt64?, size: UInt64?) throws -> String {
        let leaves = scan.entries.map { $0.entry.leafHash }
        let n = size ?? UInt64(leaves.count)
        var doc: [String: Any]
        do {
            if let index {
                let p = try MerkleProofs.inclusion(index: index, size: n, leaves: leaves)
                doc = ["leafIdx": index, "treeSize": n, "leafHash": b64(leaves[Int(index)]), "root": b64(MerkleHasher.root(leaves[0..<Int(n)])), "proof": p.map(b64)]
            } else {
                let m = from ?? 0
                let p = try MerkleProofs.consistency(old: m, new: n, leaves: leaves)
                doc = ["size1": m, "size2": n, "root1": b64(MerkleHasher.root(leaves[0..<Int(m)])), "root2": b64(MerkleHasher.root(leaves[0..<Int(n)])), "proof": p.map(b64)]
            }
        } catch let e as MerkleProofs.ProofError {
            throw MXRayError.usage(e.description)
        }
        let data = try JSONSerialization.data(withJSONObject: doc, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }

    static func verifyText(_ v: LedgerVerification, path: String) -> String {
        var out = ""
        if v.isValid {
            out += "ok: \(path): \(v.entries) entries, \(v.checkpoints) checkpoints (\(v.signedCheckpoints) with a valid signature), root \(b64(v.root))\n"
        } else {
            out += "FAILED: \(path): first problem: \(v.problems[0])\n"
            for p in v.problems.dropFirst().prefix(20) { out += "  also: \(p)\n" }
            if v.problems.count > 21 { out += "  … \(v.problems.count - 21) more\n" }
        }
        for n in v.notes { out += "note: \(n)\n" }
        return out
    }
}

/// `mxray check … --ledger PATH`: forecasts from earlier checks of the same target (their
/// observations are read back from the ledger), then this check's summary and observations are
/// appended as a `report` entry. Without --ledger the forecasts use this check alone.
struct CheckLedgerOptions: ParsableArguments {
    @Option(name: .customLong("ledger"), help: "Evidence ledger: forecast from earlier checks stored there, and append this check's summary.") var ledger: String?
    @Option(name: .customLong("ledger-key-file"), help: "Signer key for --ledger (default: $MXRAY_LEDGER_KEY_FILE or $MXRAY_LEDGER_KEY).") var ledgerKeyFile: String?

    struct Summary: Codable {
        var target: String
        var verdict: String
        var findings: [[String: String]]
        var forecast: ForecastObservation
    }

    func apply(_ report: Report) throws -> Report {
        guard let ledger else { return ForecastAnalysis.apply(to: report, history: []) }
        var history: [ForecastObservation] = []
        if FileManager.default.fileExists(atPath: ledger) {
            for s in try LedgerRender.read(ledger).entries where s.entry.kind == "report" {
                if let sum = try? JSONDecoder().decode(Summary.self, from: Data(s.entry.payload)), sum.target == report.target.input {
                    history.append(sum.forecast)
                }
            }
        }
        let out = ForecastAnalysis.apply(to: report, history: history)
        let summary = Summary(target: report.target.input, verdict: out.verdict.rawValue,
                              findings: out.findings.map { ["id": $0.id, "severity": $0.severity.rawValue, "subject": $0.subject] },
                              forecast: ForecastAnalysis.observation(of: report))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let signer = try LedgerKeyOptions.parse(ledgerKeyFile.map { ["--key-file", $0] } ?? []).signer()
        try LedgerSink.append(path: ledger, kind: "report", payload: Array(try encoder.encode(summary)), signer: signer)
        return out
    }
}
