import Foundation
import Testing
@testable import Ledger

/// Crash safety and tamper evidence of the stored log: every flipped byte is caught, every torn
/// tail is recognised and truncated without losing a complete record.
@Suite struct LedgerStorageTests {
    static func tempPath(_ name: String) -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mxray-ledger-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.appendingPathComponent(name).path
    }

    static func remove(_ path: String) { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }

    static let key = try! NoteSignerKey(name: "ledger.test/mxray", seed: Array(repeating: 7, count: 32))

    /// A small signed log: five entries of different kinds, each followed by a checkpoint.
    static func smallLog() throws -> (path: String, bytes: [UInt8]) {
        let path = tempPath("small.ledger")
        let file = try LedgerFile(path: path)
        let kinds = ["report", "change", "alert.brute-force", "alert", "report"]
        for (i, k) in kinds.enumerated() {
            try file.append(kind: k, payload: Array("{\"n\":\(i),\"note\":\"entry \(i)\"}".utf8), timestampMillis: 1_764_440_000_000 + Int64(i) * 1234, signer: key)
        }
        return (path, Array(FileManager.default.contents(atPath: path)!))
    }

    @Test func cleanLogVerifies() throws {
        let (path, bytes) = try Self.smallLog()
        defer { Self.remove(path) }
        let v = LedgerVerification.verify(LedgerScan(bytes), key: Self.key.verifier)
        #expect(v.isValid, "\(v.problems)")
        #expect(v.entries == 5 && v.checkpoints == 5 && v.signedCheckpoints == 5)
        // Reopening finds the same state and appends after it.
        let f = try LedgerFile(path: path)
        #expect(f.count == 5 && f.recoveryMessage == nil)
        #expect(f.root == v.root)
    }

    /// Flips one byte (xor 0x01 and xor 0xFF) at EVERY offset of a small stored log: each flip must
    /// be reported, and opening for append must refuse the file or the flip must be otherwise caught.
    @Test func everyFlippedByteIsCaught() throws {
        let (small, bytes) = try Self.smallLog()
        defer { Self.remove(small) }
        var caught = 0, total = 0
        for offset in 0..<bytes.count {
            for mask: UInt8 in [0x01, 0xFF] {
                var b = bytes
                b[offset] ^= mask
                total += 1
                let v = LedgerVerification.verify(LedgerScan(b), key: Self.key.verifier)
                if !v.isValid { caught += 1 } else { Issue.record("flip \(mask) at offset \(offset) of \(bytes.count) was accepted") }
                // The problem is a damaged record or a mismatch, never a silent torn-tail truncation.
                #expect(v.problems.allSatisfy { !$0.message.contains("incomplete record") } || offset >= bytes.count - 4, "flip at \(offset) looked like a torn tail")
            }
        }
        print("LedgerStorageTests: \(caught) of \(total) single-byte flips caught (every offset of a \(bytes.count)-byte log, masks 0x01 and 0xFF)")
        #expect(caught == total)
    }

    /// A log cut at every length (a crash at any byte during any append): the complete records
    /// before the cut survive, the rest is reported as a torn tail, and reopening truncates it
    /// with a message and appends cleanly after it.
    @Test func cutAtEveryByteKeepsCompleteRecords() throws {
        let (small, bytes) = try Self.smallLog()
        defer { Self.remove(small) }
        let full = LedgerScan(bytes)
        let ends = full.entries.map(\.offset) + [bytes.count]
        for cut in 0..<bytes.count {
            let scan = LedgerScan(Array(bytes[0..<cut]))
            #expect(scan.damage == nil, "cut at \(cut) reported damage \(scan.damage!)")
            // Every entry that ended before the cut is still there.
            let complete = full.entries.indices.filter { i in
                let next = i + 1 < full.entries.count ? full.entries[i + 1].offset : bytes.count
                return next <= cut || (full.entries[i].offset + LedgerRecord.entry(full.entries[i].entry, rootAfter: full.entries[i].rootAfter).encoded.count) <= cut
            }.count
            #expect(scan.entries.count == complete, "cut at \(cut): \(scan.entries.count) entries, expected \(complete)")
            let atBoundary = cut == 0 || cut == LedgerRecord.fileHeader.count || ends.contains(cut)
                || full.checkpoints.contains { $0.offset == cut }
            #expect((scan.tornTail == nil) == atBoundary || cut == 0, "cut at \(cut): torn tail \(String(describing: scan.tornTail))")
        }
        // Reopen a torn file: the tail goes, with a message, and the next append is clean.
        let path = Self.tempPath("torn.ledger")
        defer { Self.remove(path) }
        let cut = full.entries[3].offset + 20
        try Data(bytes[0..<cut]).write(to: URL(fileURLWithPath: path))
        let f = try LedgerFile(path: path)
        #expect(f.count == 3)
        #expect(f.recoveryMessage?.contains("incomplete record") == true)
        try f.append(kind: "report", payload: Array("{}".utf8), timestampMillis: 1, signer: Self.key)
        let v = LedgerVerification.verify(try LedgerFile.read(path: path), key: Self.key.verifier)
        #expect(v.isValid && v.entries == 4, "\(v.problems)")
    }

    /// Flips inside a torn tail (a log cut in the middle of its last record) are never accepted:
    /// the verifier reports the incomplete record or a damaged one, whichever the bytes show.
    @Test func flipsInATornTailAreReported() throws {
        let (small, bytes) = try Self.smallLog()
        defer { Self.remove(small) }
        let last = LedgerScan(bytes).entries[4].offset
        let torn = Array(bytes[0..<(last + 40)])
        var checked = 0
        for offset in last..<torn.count {
            var b = torn
            b[offset] ^= 0x5A
            let v = LedgerVerification.verify(LedgerScan(b), key: Self.key.verifier)
            #expect(!v.isValid, "flip at \(offset) in the torn tail was accepted")
            #expect(LedgerScan(b).entries.count == 4)
            checked += 1
        }
        #expect(checked == 40)
    }

    /// Reopening for append after a crash at every seventh byte: the file is repaired to exactly
    /// its complete entries, the repair is reported, and the next append verifies.
    @Test func reopenAfterACrashAtManyBytes() throws {
        let (small, bytes) = try Self.smallLog()
        defer { Self.remove(small) }
        let full = LedgerScan(bytes)
        let path = Self.tempPath("reopen.ledger")
        defer { Self.remove(path) }
        var repaired = 0
        for cut in stride(from: 0, to: bytes.count, by: 7) {
            try Data(bytes[0..<cut]).write(to: URL(fileURLWithPath: path))
            let before = LedgerScan(Array(bytes[0..<cut]))
            let f = try LedgerFile(path: path)
            #expect(f.count == before.entries.count)
            #expect((f.recoveryMessage != nil) == (before.tornTail != nil), "cut \(cut)")
            if f.recoveryMessage != nil { repaired += 1 }
            try f.append(kind: "report", payload: Array("{\"after\":\(cut)}".utf8), timestampMillis: 2, signer: Self.key)
            let v = LedgerVerification.verify(try LedgerFile.read(path: path), key: Self.key.verifier)
            #expect(v.isValid, "cut \(cut): \(v.problems.first.map(String.init(describing:)) ?? "")")
            #expect(v.entries == before.entries.count + 1)
        }
        #expect(repaired > 200 && full.entries.count == 5)
    }

    /// A zero-filled tail (what some filesystems leave after a crash) is a torn tail too.
    @Test func zeroFilledTailIsTorn() throws {
        let (small, bytes) = try Self.smallLog()
        defer { Self.remove(small) }
        let scan = LedgerScan(bytes + [UInt8](repeating: 0, count: 300))
        #expect(scan.tornTail == 300 && scan.entries.count == 5 && scan.damage == nil)
    }

    @Test func damagedCompleteRecordIsRefusedNotTruncated() throws {
        let (path, bytes) = try Self.smallLog()
        defer { Self.remove(path) }
        var b = bytes
        let target = LedgerScan(bytes).entries[2].offset + 30
        b[target] ^= 0x40
        try Data(b).write(to: URL(fileURLWithPath: path))
        #expect(throws: LedgerFileError.self) { _ = try LedgerFile(path: path) }
        // The file is untouched.
        #expect(Array(FileManager.default.contents(atPath: path)!) == b)
        let v = LedgerVerification.verify(LedgerScan(b), key: Self.key.verifier)
        #expect(v.problems.first?.entry == 2, "\(v.problems)")
    }

    /// A forger who edits an entry and recomputes every checksum and stored root is still caught
    /// by the checkpoint signatures, and the verifier names the edited entry's checkpoint.
    @Test func rewrittenHistoryWithoutTheKeyIsCaught() throws {
        let (small, bytes) = try Self.smallLog()
        defer { Self.remove(small) }
        let scan = LedgerScan(bytes)
        var out = LedgerRecord.fileHeader
        var acc = MerkleAccumulator()
        var cpIndex = 0
        for (i, s) in scan.entries.enumerated() {
            var e = s.entry
            if i == 1 { e.payload = Array("{\"n\":1,\"note\":\"edited\"}".utf8) }
            acc.append(leafHash: e.leafHash)
            out += LedgerRecord.entry(e, rootAfter: acc.root).encoded
            while cpIndex < scan.checkpoints.count, scan.checkpoints[cpIndex].afterEntries == i + 1 {
                out += LedgerRecord.checkpoint(note: scan.checkpoints[cpIndex].note).encoded
                cpIndex += 1
            }
        }
        let v = LedgerVerification.verify(LedgerScan(out), key: Self.key.verifier)
        #expect(!v.isValid)
        #expect(v.problems.first?.entry == 1, "\(v.problems)")
        // The same forgery re-signed with another key fails the signature check.
        let other = try NoteSignerKey(name: Self.key.name, seed: Array(repeating: 9, count: 32))
        var resigned = LedgerRecord.fileHeader
        var acc2 = MerkleAccumulator()
        for (i, s) in scan.entries.enumerated() {
            var e = s.entry
            if i == 1 { e.payload = Array("{}".utf8) }
            acc2.append(leafHash: e.leafHash)
            resigned += LedgerRecord.entry(e, rootAfter: acc2.root).encoded
            let note = try SignedNote.sign(text: Checkpoint(origin: other.name, size: UInt64(i + 1), root: acc2.root).body, with: other)
            resigned += LedgerRecord.checkpoint(note: Array(note.encoded.utf8)).encoded
        }
        let v2 = LedgerVerification.verify(LedgerScan(resigned), key: Self.key.verifier)
        #expect(v2.problems.contains { $0.message.contains("no valid signature") })
    }

    /// Deleting the newest entries is caught against a checkpoint saved earlier.
    @Test func truncatedHistoryIsCaughtAgainstATrustedCheckpoint() throws {
        let (small, bytes) = try Self.smallLog()
        defer { Self.remove(small) }
        let scan = LedgerScan(bytes)
        let last = try Checkpoint(body: SignedNote(parsing: scan.checkpoints.last!.note).text)
        let shorter = Array(bytes[0..<scan.entries[3].offset])
        let v = LedgerVerification.verify(LedgerScan(shorter), key: Self.key.verifier, trusted: [last])
        #expect(v.problems.contains { $0.message.contains("entries were removed") })
    }
}
