#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

#if canImport(Glibc)
private let sysRead = Glibc.read, sysWrite = Glibc.write
#elseif canImport(Darwin)
private let sysRead = Darwin.read, sysWrite = Darwin.write
#endif

public struct LedgerFileError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// A ledger file opened for appending: an exclusive lock (flock) for the whole session, a torn
/// tail from an earlier crash truncated on open (with a message saying so), and every append
/// written in one write(2) and fsync'd before it returns. A damaged complete record is never
/// truncated: the file is refused instead, so evidence is not silently dropped.
public final class LedgerFile {
    public let path: String
    private let fd: Int32
    public private(set) var scan: LedgerScan
    private var accumulator = MerkleAccumulator()
    /// One line for a person when opening had to repair something (a torn tail).
    public private(set) var recoveryMessage: String?

    public init(path: String) throws {
        self.path = path
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw LedgerFileError("cannot open \(path): \(String(cString: strerror(errno)))") }
        guard flock(fd, LOCK_EX) == 0 else {
            close(fd)
            throw LedgerFileError("cannot lock \(path): \(String(cString: strerror(errno)))")
        }
        let bytes: [UInt8]
        do { bytes = try Self.readAll(fd) } catch { close(fd); throw error }
        scan = LedgerScan(bytes)
        if let d = scan.damage {
            close(fd)
            throw LedgerFileError("\(path) is damaged at byte \(d.offset) (entry \(d.position)): \(d.reason); run `mxray ledger verify` and keep a copy before repairing by hand")
        }
        for (pos, s) in scan.entries.enumerated() {
            accumulator.append(leafHash: s.entry.leafHash)
            guard s.entry.index == UInt64(pos), accumulator.root == s.rootAfter else {
                close(fd)
                throw LedgerFileError("\(path): entry \(pos) does not match its stored root; run `mxray ledger verify` (refusing to append to a changed log)")
            }
        }
        if let torn = scan.tornTail {
            let keep = scan.end
            guard ftruncate(fd, off_t(keep)) == 0, fsync(fd) == 0 else {
                close(fd)
                throw LedgerFileError("cannot truncate the incomplete record at the end of \(path): \(String(cString: strerror(errno)))")
            }
            recoveryMessage = "\(path): removed an incomplete record of \(torn) bytes at byte \(keep) (an append interrupted by a crash); \(scan.entries.count) complete entries kept"
            scan.tornTail = nil
            scan.end = keep
        }
        if scan.end == 0 {
            try write(LedgerRecord.fileHeader)
            scan.end = LedgerRecord.fileHeader.count
            // The new file's directory entry must survive a crash too.
            let dir = open((path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent, O_RDONLY | O_CLOEXEC)
            if dir >= 0 { _ = fsync(dir); close(dir) }
        }
    }

    deinit { close(fd) }

    public var count: Int { scan.entries.count }
    public var root: MerkleHash { accumulator.root }
    public var leafHashes: [MerkleHash] { scan.entries.map { $0.entry.leafHash } }

    /// Appends one entry (and, with a key, a signed checkpoint for the new size) durably.
    @discardableResult
    public func append(kind: String, payload: [UInt8], timestampMillis: Int64, signer: NoteSignerKey?, origin: String? = nil) throws -> (LedgerEntry, Checkpoint?) {
        guard LedgerEntry.isValidKind(kind) else { throw LedgerFileError("entry kind \"\(kind)\" must be 1–64 of [a-z0-9._-]") }
        guard payload.count <= LedgerEntry.maxPayload else { throw LedgerFileError("payload larger than \(LedgerEntry.maxPayload) bytes") }
        let entry = LedgerEntry(index: UInt64(count), timestampMillis: timestampMillis, kind: kind, payload: payload)
        var next = accumulator
        next.append(leafHash: entry.leafHash)
        let entryRecord = LedgerRecord.entry(entry, rootAfter: next.root).encoded
        var bytes = entryRecord
        var checkpoint: (Checkpoint, [UInt8])?
        if let signer {
            let cp = Checkpoint(origin: origin ?? signer.name, size: next.size, root: next.root)
            let note = Array(try SignedNote.sign(text: cp.body, with: signer).encoded.utf8)
            bytes += LedgerRecord.checkpoint(note: note).encoded
            checkpoint = (cp, note)
        }
        try write(bytes)
        accumulator = next
        scan.entries.append(.init(entry: entry, rootAfter: next.root, offset: scan.end))
        if let (_, note) = checkpoint {
            scan.checkpoints.append(.init(afterEntries: count, note: note, offset: scan.end + entryRecord.count))
        }
        scan.end += bytes.count
        return (entry, checkpoint?.0)
    }

    private func write(_ bytes: [UInt8]) throws {
        guard lseek(fd, off_t(scan.end), SEEK_SET) >= 0 else { throw LedgerFileError("cannot seek in \(path): \(String(cString: strerror(errno)))") }
        var done = 0
        while done < bytes.count {
            let n = bytes[done...].withUnsafeBytes { sysWrite(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw LedgerFileError("cannot write \(path): \(String(cString: strerror(errno)))")
            }
            done += n
        }
        guard fsync(fd) == 0 else { throw LedgerFileError("cannot fsync \(path): \(String(cString: strerror(errno)))") }
    }

    static func readAll(_ fd: Int32) throws -> [UInt8] {
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 1 << 16)
        guard lseek(fd, 0, SEEK_SET) >= 0 else { throw LedgerFileError("cannot seek: \(String(cString: strerror(errno)))") }
        while true {
            let n = buf.withUnsafeMutableBytes { sysRead(fd, $0.baseAddress, $0.count) }
            if n < 0 { if errno == EINTR { continue }; throw LedgerFileError("cannot read: \(String(cString: strerror(errno)))") }
            if n == 0 { return out }
            out += buf[0..<n]
        }
    }

    /// Reads a ledger without locking or changing it (for `show`, `proof`, `verify`).
    public static func read(path: String) throws -> LedgerScan {
        guard let data = FileManager.default.contents(atPath: path) else { throw LedgerFileError("cannot read \(path)") }
        return LedgerScan(Array(data))
    }
}
