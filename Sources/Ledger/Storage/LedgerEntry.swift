/// One ledger entry: what happened (kind), when (its own millisecond timestamp), and a JSON
/// payload with the details (a report, a change, an alert with its evidence lines).
public struct LedgerEntry: Sendable, Equatable, Codable {
    /// Position in the log, from 0. Part of the leaf data, so an entry cannot be moved.
    public var index: UInt64
    /// Milliseconds since the Unix epoch, as the writer's clock saw it.
    public var timestampMillis: Int64
    /// `report`, `change`, `alert`, `alert.brute-force`, …: 1–64 of [a-z0-9._-].
    public var kind: String
    /// UTF-8 JSON text.
    public var payload: [UInt8]

    public init(index: UInt64, timestampMillis: Int64, kind: String, payload: [UInt8]) {
        self.index = index
        self.timestampMillis = timestampMillis
        self.kind = kind
        self.payload = payload
    }

    public static let maxKind = 64
    public static let maxPayload = 8 << 20

    public static func isValidKind(_ kind: String) -> Bool {
        (1...maxKind).contains(kind.utf8.count)
            && kind.utf8.allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x2E || $0 == 0x2D || $0 == 0x5F }
    }

    /// The leaf data hashed into the tree: index (8, big-endian), timestamp (8), kind length (1),
    /// kind, payload length (4), payload. Fixed-width lengths make the encoding unambiguous.
    public var leafData: [UInt8] {
        var b: [UInt8] = []
        b.reserveCapacity(21 + kind.utf8.count + payload.count)
        b.appendBE(index, bytes: 8)
        b.appendBE(UInt64(bitPattern: timestampMillis), bytes: 8)
        b.append(UInt8(kind.utf8.count))
        b += kind.utf8
        b.appendBE(UInt64(payload.count), bytes: 4)
        b += payload
        return b
    }

    public var leafHash: MerkleHash { MerkleHasher.leafHash(leafData) }

    public var payloadText: String { String(decoding: payload, as: UTF8.self) }
}
