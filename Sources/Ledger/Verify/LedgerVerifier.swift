import Foundation

/// Recomputes everything a ledger file claims — record checksums, entry positions, the Merkle
/// root after every entry, and every checkpoint's root and Ed25519 signature — and names the
/// first thing that does not match.
public struct LedgerVerification: Sendable {
    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        /// The entry involved (its position in the log), when there is one.
        public var entry: Int?
        public var offset: Int
        public var message: String
        public var description: String {
            (entry.map { "entry \($0)" } ?? "ledger") + " (byte offset \(offset)): " + message
        }
    }

    public var entries = 0
    public var checkpoints = 0
    public var signedCheckpoints = 0
    public var root = MerkleHasher.emptyRoot
    public var problems: [Problem] = []
    public var notes: [String] = []
    public var isValid: Bool { problems.isEmpty }

    /// `key`: the log's verifier key; without it signatures are not checked (and a note says so).
    /// `trusted`: checkpoints saved earlier (e.g. by a monitor); the log must still contain them.
    public static func verify(_ scan: LedgerScan, key: NoteVerifierKey?, trusted: [Checkpoint] = []) -> LedgerVerification {
        var v = LedgerVerification()
        var acc = MerkleAccumulator()
        var roots: [MerkleHash] = [MerkleHasher.emptyRoot]
        for (pos, s) in scan.entries.enumerated() {
            if s.entry.index != UInt64(pos) {
                v.problems.append(Problem(entry: pos, offset: s.offset, message: "records index \(s.entry.index), but it is entry \(pos) of the log"))
            }
            acc.append(leafHash: s.entry.leafHash)
            roots.append(acc.root)
            if acc.root != s.rootAfter {
                v.problems.append(Problem(entry: pos, offset: s.offset, message: "the stored tree root after this entry does not match its recomputed root (entry contents or earlier entries changed)"))
            }
        }
        v.entries = scan.entries.count
        v.root = acc.root
        var lastSigned = 0
        for c in scan.checkpoints {
            v.checkpoints += 1
            let entry = c.afterEntries > 0 ? c.afterEntries - 1 : nil
            let note: SignedNote, cp: Checkpoint
            do {
                note = try SignedNote(parsing: c.note)
                cp = try Checkpoint(body: note.text)
            } catch {
                v.problems.append(Problem(entry: entry, offset: c.offset, message: "checkpoint: \(error)"))
                continue
            }
            if cp.size != UInt64(c.afterEntries) {
                v.problems.append(Problem(entry: entry, offset: c.offset, message: "checkpoint claims size \(cp.size) but follows entry \(c.afterEntries - 1)"))
            } else if roots[c.afterEntries] != cp.root {
                v.problems.append(Problem(entry: entry, offset: c.offset, message: "checkpoint root for size \(cp.size) does not match the recomputed root"))
            }
            if let key {
                if note.isSigned(by: key) {
                    v.signedCheckpoints += 1
                    lastSigned = max(lastSigned, c.afterEntries)
                } else {
                    v.problems.append(Problem(entry: entry, offset: c.offset, message: "checkpoint for size \(cp.size) has no valid signature by \(key.name)"))
                }
            }
        }
        for t in trusted {
            guard t.size <= UInt64(scan.entries.count) else {
                v.problems.append(Problem(entry: nil, offset: scan.end, message: "a trusted checkpoint has size \(t.size) but the log holds only \(scan.entries.count) entries (entries were removed)"))
                continue
            }
            if roots[Int(t.size)] != t.root {
                let e = t.size > 0 ? Int(t.size) - 1 : nil
                v.problems.append(Problem(entry: e, offset: e.map { scan.entries[$0].offset } ?? 0, message: "the log's root at size \(t.size) differs from the trusted checkpoint (history rewritten)"))
            }
        }
        if let d = scan.damage {
            v.problems.append(Problem(entry: d.position, offset: d.offset, message: "\(d.reason); the record is damaged and nothing after it can be trusted"))
        }
        if let t = scan.tornTail {
            v.problems.append(Problem(entry: scan.entries.count, offset: scan.end, message: "incomplete record at the end of the file (\(t) bytes, a crash during an append?); the next append truncates it"))
        }
        if key != nil, lastSigned < scan.entries.count, scan.damage == nil {
            // Reported at the end of the file so that a specific bad checkpoint sorts first.
            v.problems.append(Problem(entry: lastSigned, offset: scan.end,
                                      message: "entries \(lastSigned)…\(scan.entries.count - 1) are not covered by a validly signed checkpoint"))
        }
        if key == nil && v.checkpoints > 0 { v.notes.append("signatures not checked: give the verifier key (--vkey) to check them") }
        v.problems.sort { ($0.entry ?? -1, $0.offset) < ($1.entry ?? -1, $1.offset) }
        return v
    }
}
