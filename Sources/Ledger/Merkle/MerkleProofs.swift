/// Proof generation over the leaf hashes of a tree — RFC 9162 §2.1.3.1 and §2.1.4.1.
public enum MerkleProofs {
    public enum ProofError: Error, Equatable, CustomStringConvertible {
        case indexOutOfRange(index: UInt64, size: UInt64)
        case badSizes(old: UInt64, new: UInt64, have: UInt64)

        public var description: String {
            switch self {
            case let .indexOutOfRange(i, n): "leaf index \(i) is not below the tree size \(n)"
            case let .badSizes(m, n, have): "a consistency proof needs 0 < old ≤ new ≤ \(have) entries; got old \(m), new \(n)"
            }
        }
    }

    /// The audit path PATH(m, D[n]) for leaf `index` in the tree of the first `size` leaves.
    /// RFC 9162 §2.1.3.1: PATH(0, {d0}) = {}; for m < k: PATH(m, D[0:k]) : MTH(D[k:n]);
    /// for m ≥ k: PATH(m - k, D[k:n]) : MTH(D[0:k]). Hashes are ordered leaf to root.
    public static func inclusion(index: UInt64, size: UInt64, leaves: [MerkleHash]) throws -> [MerkleHash] {
        guard size <= UInt64(leaves.count) else { throw ProofError.badSizes(old: index, new: size, have: UInt64(leaves.count)) }
        guard index < size else { throw ProofError.indexOutOfRange(index: index, size: size) }
        var out: [MerkleHash] = []
        path(Int(index), leaves[0..<Int(size)], &out)
        return out
    }

    private static func path(_ m: Int, _ d: ArraySlice<MerkleHash>, _ out: inout [MerkleHash]) {
        guard d.count > 1 else { return }
        let k = Int(MerkleHasher.split(UInt64(d.count))), mid = d.startIndex + k
        if m < k {
            path(m, d[d.startIndex..<mid], &out)
            out.append(MerkleHasher.root(d[mid...]))
        } else {
            path(m - k, d[mid...], &out)
            out.append(MerkleHasher.root(d[d.startIndex..<mid]))
        }
    }

    /// PROOF(m, D[n]) = SUBPROOF(m, D[n], true) — RFC 9162 §2.1.4.1. Empty when m == n.
    public static func consistency(old m: UInt64, new n: UInt64, leaves: [MerkleHash]) throws -> [MerkleHash] {
        guard m > 0, m <= n, n <= UInt64(leaves.count) else { throw ProofError.badSizes(old: m, new: n, have: UInt64(leaves.count)) }
        var out: [MerkleHash] = []
        subproof(Int(m), leaves[0..<Int(n)], true, &out)
        return out
    }

    /// RFC 9162 §2.1.4.1: SUBPROOF(m, D[m], true) = {}; SUBPROOF(m, D[m], false) = {MTH(D[m])};
    /// m ≤ k: SUBPROOF(m, D[0:k], b) : MTH(D[k:n]); m > k: SUBPROOF(m - k, D[k:n], false) : MTH(D[0:k]).
    private static func subproof(_ m: Int, _ d: ArraySlice<MerkleHash>, _ b: Bool, _ out: inout [MerkleHash]) {
        if m == d.count {
            if !b { out.append(MerkleHasher.root(d)) }
            return
        }
        let k = Int(MerkleHasher.split(UInt64(d.count))), mid = d.startIndex + k
        if m <= k {
            subproof(m, d[d.startIndex..<mid], b, &out)
            out.append(MerkleHasher.root(d[mid...]))
        } else {
            subproof(m - k, d[mid...], false, &out)
            out.append(MerkleHasher.root(d[d.startIndex..<mid]))
        }
    }
}
