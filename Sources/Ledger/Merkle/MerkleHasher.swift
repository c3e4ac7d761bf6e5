// Ledger — an append-only, tamper-evident record of reports, changes and alerts.
// Pure: hashing, proofs, signed notes and a record codec; file access only through LedgerFile.
import Crypto

/// A SHA-256 tree hash (32 bytes). Values read from outside (proofs, checkpoints) may have any
/// length; the verifiers reject the ones that are not 32 bytes where they would be hashed.
public typealias MerkleHash = [UInt8]

/// RFC 9162 §2.1.1 (= RFC 6962 §2.1) Merkle Tree Hash with SHA-256.
public enum MerkleHasher {
    public static let size = 32

    /// MTH({}) = SHA-256() — RFC 9162 §2.1.1.
    public static let emptyRoot: MerkleHash = Array(SHA256.hash(data: [UInt8]()))

    /// MTH({d}) = SHA-256(0x00 || d) — RFC 9162 §2.1.1 (leaf domain separation).
    public static func leafHash(_ data: some Collection<UInt8>) -> MerkleHash {
        var h = SHA256()
        h.update(data: [0x00])
        h.update(data: Array(data))
        return Array(h.finalize())
    }

    /// SHA-256(0x01 || left || right) — RFC 9162 §2.1.1 (interior node).
    public static func nodeHash(_ left: MerkleHash, _ right: MerkleHash) -> MerkleHash {
        var h = SHA256()
        h.update(data: [0x01])
        h.update(data: left)
        h.update(data: right)
        return Array(h.finalize())
    }

    /// The largest power of two strictly smaller than n (n ≥ 2) — the split point k of RFC 9162 §2.1.1.
    @inlinable static func split(_ n: UInt64) -> UInt64 {
        precondition(n >= 2)
        return UInt64(1) << (63 - (n - 1).leadingZeroBitCount)
    }

    /// MTH(D[lo..<hi]) over already-hashed leaves — RFC 9162 §2.1.1, recursive definition.
    public static func root(_ leaves: ArraySlice<MerkleHash>) -> MerkleHash {
        switch leaves.count {
        case 0: return emptyRoot
        case 1: return leaves[leaves.startIndex]
        default:
            let k = Int(split(UInt64(leaves.count)))
            let mid = leaves.startIndex + k
            return nodeHash(root(leaves[leaves.startIndex..<mid]), root(leaves[mid...]))
        }
    }

    public static func root(_ leaves: [MerkleHash]) -> MerkleHash { root(leaves[...]) }
}

/// The roots of the perfect subtrees of a growing tree (a "compact range" from 0): appending is
/// O(log n) and the root at every size is available without rebuilding — used by `verify` to
/// compare the stored root after each entry.
public struct MerkleAccumulator: Sendable {
    /// Perfect subtree roots, largest (leftmost) first, with their sizes (powers of two).
    private var stack: [(hash: MerkleHash, size: UInt64)] = []
    public private(set) var size: UInt64 = 0

    public init() {}

    public mutating func append(leafHash: MerkleHash) {
        stack.append((leafHash, 1))
        size += 1
        while stack.count >= 2, stack[stack.count - 1].size == stack[stack.count - 2].size {
            let right = stack.removeLast(), left = stack.removeLast()
            stack.append((MerkleHasher.nodeHash(left.hash, right.hash), left.size * 2))
        }
    }

    /// The RFC 9162 root: the perfect subtrees combined right to left (the tree's right border).
    public var root: MerkleHash {
        guard var r = stack.last?.hash else { return MerkleHasher.emptyRoot }
        for node in stack.dropLast().reversed() { r = MerkleHasher.nodeHash(node.hash, r) }
        return r
    }
}
