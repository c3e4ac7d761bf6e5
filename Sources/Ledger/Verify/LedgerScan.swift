/// The records of a ledger file as read, before any Merkle or signature check: intact records
/// up to the first damaged one, and what ends the file (clean end, torn tail or corruption).
public struct LedgerScan: Sendable {
    public struct StoredEntry: Sendable {
        public var entry: LedgerEntry
        public var rootAfter: MerkleHash
        public var offset: Int
    }
    public struct StoredCheckpoint: Sendable {
        /// Entries stored before this checkpoint record.
        public var afterEntries: Int
        public var note: [UInt8]
        public var offset: Int
    }
    public struct Damage: Sendable, Equatable {
        public var offset: Int
        /// The entry the damaged record would have been (entries intact before it).
        public var position: Int
        public var reason: String
    }

    public var entries: [StoredEntry] = []
    public var checkpoints: [StoredCheckpoint] = []
    /// Offset just past the last intact record (where the next append goes).
    public var end = 0
    /// Bytes of an incomplete last record (a crash during an append), if any.
    public var tornTail: Int?
    /// The first damaged record, if any; nothing after it is read.
    public var damage: Damage?

    public init(_ bytes: [UInt8]) {
        let header = LedgerRecord.fileHeader
        if bytes.count < header.count {
            // An empty file, or a header cut short by a crash while creating it.
            if Array(header.prefix(bytes.count)) == bytes || bytes.allSatisfy({ $0 == 0 }) {
                if !bytes.isEmpty { tornTail = bytes.count }
            } else {
                damage = Damage(offset: 0, position: 0, reason: "not an mxray ledger (bad file header)")
            }
            return
        }
        guard Array(bytes[0..<header.count]) == header else {
            damage = Damage(offset: 0, position: 0, reason: "not an mxray ledger (bad file header)")
            return
        }
        var offset = header.count
        end = offset
        while offset < bytes.count {
            switch LedgerRecordDecoder.decode(bytes, at: offset) {
            case let .record(.entry(e, root), next):
                entries.append(StoredEntry(entry: e, rootAfter: root, offset: offset))
                offset = next
            case let .record(.checkpoint(note), next):
                checkpoints.append(StoredCheckpoint(afterEntries: entries.count, note: note, offset: offset))
                offset = next
            case let .tornTail(n):
                tornTail = n
                return
            case let .corrupt(reason):
                damage = Damage(offset: offset, position: entries.count, reason: reason)
                return
            }
            end = offset
        }
    }
}
