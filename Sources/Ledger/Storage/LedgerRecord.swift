/// The on-disk record format. A ledger file is a 16-byte header line followed by records:
///
///     magic "MXLR" (4) | type (1) | body length (4, big-endian) | CRC-32C of those 9 bytes (4)
///     body (length bytes) | CRC-32C of the body (4)
///
/// type 1 = entry: LedgerEntry.leafData followed by the 32-byte tree root after this entry;
/// type 2 = checkpoint: a C2SP signed note (UTF-8).
///
/// The header has its own checksum, so a damaged length field is reported as corruption and
/// never mistaken for a record that runs past the end of the file (a torn tail).
public enum LedgerRecord: Sendable, Equatable {
    case entry(LedgerEntry, rootAfter: MerkleHash)
    case checkpoint(note: [UInt8])

    public static let fileHeader: [UInt8] = Array("mxray-ledger v1\n".utf8)
    static let magic: [UInt8] = [0x4D, 0x58, 0x4C, 0x52]
    public static let headerSize = 13
    public static let trailerSize = 4
    public static let maxBody = 16 << 20

    public var encoded: [UInt8] {
        var body: [UInt8]
        let type: UInt8
        switch self {
        case let .entry(e, root): type = 1; body = e.leafData + root
        case let .checkpoint(note): type = 2; body = note
        }
        var out = Self.magic
        out.append(type)
        out.appendBE(UInt64(body.count), bytes: 4)
        out.appendBE(UInt64(CRC32C.checksum(out)), bytes: 4)
        out += body
        out.appendBE(UInt64(CRC32C.checksum(body)), bytes: 4)
        return out
    }
}

/// What the decoder found at an offset. "Need more bytes" (a torn tail after a crash) is kept
/// apart from "malformed" (a changed byte), as the two call for different actions.
public enum LedgerDecodeResult: Sendable, Equatable {
    /// A complete, intact record and the offset just past it.
    case record(LedgerRecord, next: Int)
    /// The bytes from here to the end are the start of a record cut short, or zeros (a torn append).
    case tornTail(bytes: Int)
    /// A record that is complete but wrong: the reason names the field.
    case corrupt(String)
}

public enum LedgerRecordDecoder {
    /// Decodes one record at `offset` of `bytes`. Never traps; memory is bounded by the input.
    public static func decode(_ bytes: [UInt8], at offset: Int) -> LedgerDecodeResult {
        let remaining = bytes.count - offset
        guard remaining > 0 else { return .tornTail(bytes: 0) }
        if bytes[offset...].allSatisfy({ $0 == 0 }) { return .tornTail(bytes: remaining) }
        let h = LedgerRecord.headerSize
        if remaining < h {
            // Only a prefix of a header that agrees with the magic counts as torn.
            let n = min(remaining, 4)
            return Array(bytes[offset..<offset + n]) == Array(LedgerRecord.magic.prefix(n)) ? .tornTail(bytes: remaining) : .corrupt("bad record magic")
        }
        guard Array(bytes[offset..<offset + 4]) == LedgerRecord.magic else { return .corrupt("bad record magic") }
        let headerCRC = UInt32(bytes.readBE(offset + 9, bytes: 4))
        guard CRC32C.checksum(bytes[offset..<offset + 9]) == headerCRC else { return .corrupt("record header checksum mismatch") }
        let type = bytes[offset + 4]
        let length = Int(bytes.readBE(offset + 5, bytes: 4))
        guard type == 1 || type == 2 else { return .corrupt("unknown record type \(type)") }
        guard length <= LedgerRecord.maxBody else { return .corrupt("record length \(length) above the limit") }
        guard remaining >= h + length + LedgerRecord.trailerSize else { return .tornTail(bytes: remaining) }
        let body = bytes[(offset + h)..<(offset + h + length)]
        guard CRC32C.checksum(body) == UInt32(bytes.readBE(offset + h + length, bytes: 4)) else { return .corrupt("record checksum mismatch") }
        let next = offset + h + length + LedgerRecord.trailerSize
        if type == 2 { return .record(.checkpoint(note: Array(body)), next: next) }
        switch decodeEntry(Array(body)) {
        case .success(let (e, root)): return .record(.entry(e, rootAfter: root), next: next)
        case .failure(let why): return .corrupt(why.reason)
        }
    }

    struct Reason: Error { let reason: String }

    static func decodeEntry(_ b: [UInt8]) -> Result<(LedgerEntry, MerkleHash), Reason> {
        guard b.count >= 8 + 8 + 1 + 4 + 32 else { return .failure(Reason(reason: "entry body too short")) }
        let index = b.readBE(0, bytes: 8)
        let ts = Int64(bitPattern: b.readBE(8, bytes: 8))
        let kindLen = Int(b[16])
        guard b.count >= 17 + kindLen + 4 + 32 else { return .failure(Reason(reason: "entry kind runs past the body")) }
        guard let kind = String(validating: b[17..<17 + kindLen], as: UTF8.self), LedgerEntry.isValidKind(kind) else {
            return .failure(Reason(reason: "entry kind is not 1–64 of [a-z0-9._-]"))
        }
        let p = 17 + kindLen
        let payloadLen = Int(b.readBE(p, bytes: 4))
        guard b.count == p + 4 + payloadLen + 32 else { return .failure(Reason(reason: "entry payload length does not match the body")) }
        let payload = Array(b[(p + 4)..<(p + 4 + payloadLen)])
        guard String(validating: payload, as: UTF8.self) != nil else { return .failure(Reason(reason: "entry payload is not UTF-8")) }
        let root = Array(b[(b.count - 32)...])
        return .success((LedgerEntry(index: index, timestampMillis: ts, kind: kind, payload: payload), root))
    }
}
