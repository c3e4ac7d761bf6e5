/// Why a proof did not verify: a value a caller can print, not a crash.
public struct MerkleVerificationError: Error, Equatable, CustomStringConvertible {
    public let reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}

/// Proof verification — RFC 9162 §2.1.3.2 (inclusion), §2.1.4.2 (consistency), and the subtree
/// proofs of draft-ietf-plants-merkle-tree-certs §4.3–4.4 (Merkle Tree Certificates), which the
/// transparency-dev test vectors also cover.
public enum MerkleVerifier {
    typealias Failure = MerkleVerificationError

    private static func check(_ h: MerkleHash, _ what: String) throws(Failure) {
        guard h.count == MerkleHasher.size else { throw Failure("\(what) is \(h.count) bytes, not \(MerkleHasher.size)") }
    }

    /// RFC 9162 §2.1.3.2.
    public static func verifyInclusion(index: UInt64, size: UInt64, leafHash: MerkleHash, proof: [MerkleHash], root: MerkleHash) throws(MerkleVerificationError) {
        let r = try rootFromInclusion(index: index, size: size, leafHash: leafHash, proof: proof)
        guard r == root else { throw Failure("the inclusion proof leads to a different root") }
    }

    /// Steps 1–5 of RFC 9162 §2.1.3.2, returning the computed root.
    public static func rootFromInclusion(index: UInt64, size: UInt64, leafHash: MerkleHash, proof: [MerkleHash]) throws(MerkleVerificationError) -> MerkleHash {
        // Step 1: leaf_index must be below tree_size.
        guard index < size else { throw Failure("leaf index \(index) is not below tree size \(size)") }
        try check(leafHash, "the leaf hash")
        // Steps 2–3.
        var fn = index, sn = size - 1
        var r = leafHash
        // Step 4.
        for p in proof {
            try check(p, "a proof hash")
            guard sn != 0 else { throw Failure("the inclusion proof is longer than the path") }  // 4a
            if fn & 1 == 1 || fn == sn {  // 4b
                r = MerkleHasher.nodeHash(p, r)
                if fn & 1 == 0 { while fn & 1 == 0 && fn != 0 { fn >>= 1; sn >>= 1 } }
            } else {
                r = MerkleHasher.nodeHash(r, p)
            }
            fn >>= 1; sn >>= 1  // 4c
        }
        // Step 5: sn must have reached 0.
        guard sn == 0 else { throw Failure("the inclusion proof is shorter than the path") }
        return r
    }

    /// RFC 9162 §2.1.4.2, with the boundary cases the reference verifier (transparency-dev) uses:
    /// 0 < first ≤ second; equal sizes need an empty proof and equal roots.
    public static func verifyConsistency(first: UInt64, second: UInt64, firstRoot: MerkleHash, secondRoot: MerkleHash, proof: [MerkleHash]) throws(MerkleVerificationError) {
        guard first <= second else { throw Failure("the first size \(first) is larger than the second \(second)") }
        guard first > 0 else { throw Failure("a consistency proof from the empty tree proves nothing") }
        if first == second {
            guard proof.isEmpty else { throw Failure("equal sizes need an empty proof") }
            guard firstRoot == secondRoot else { throw Failure("equal sizes but different roots") }
            return
        }
        // Step 1: an empty path fails.
        guard !proof.isEmpty else { throw Failure("the consistency proof is empty") }
        for p in proof { try check(p, "a proof hash") }
        try check(firstRoot, "the first root")
        // Step 2: if first is an exact power of two, prepend first_hash.
        var path = proof
        if first & (first - 1) == 0 { path.insert(firstRoot, at: 0) }
        // Steps 3–4.
        var fn = first - 1, sn = second - 1
        while fn & 1 == 1 { fn >>= 1; sn >>= 1 }
        // Step 5.
        var fr = path[0], sr = path[0]
        // Step 6.
        for c in path.dropFirst() {
            guard sn != 0 else { throw Failure("the consistency proof is longer than the path") }  // 6a
            if fn & 1 == 1 || fn == sn {  // 6b
                fr = MerkleHasher.nodeHash(c, fr)
                sr = MerkleHasher.nodeHash(c, sr)
                if fn & 1 == 0 { while fn & 1 == 0 && fn != 0 { fn >>= 1; sn >>= 1 } }
            } else {
                sr = MerkleHasher.nodeHash(sr, c)
            }
            fn >>= 1; sn >>= 1  // 6c
        }
        // Step 7.
        guard sn == 0 else { throw Failure("the consistency proof is shorter than the path") }
        guard fr == firstRoot else { throw Failure("the consistency proof does not lead to the first root") }
        guard sr == secondRoot else { throw Failure("the consistency proof does not lead to the second root") }
    }

    /// draft-ietf-plants-merkle-tree-certs §4.1: [start, end) is a subtree when start < end and
    /// start is a multiple of the smallest power of two ≥ end − start.
    public static func isValidSubtree(start: UInt64, end: UInt64) -> Bool {
        guard start < end else { return false }
        let width = end - start
        guard width <= UInt64(1) << 63 else { return false }
        let ceil = width == 1 ? 1 : UInt64(1) << (64 - (width - 1).leadingZeroBitCount)
        return start % ceil == 0
    }

    /// MTC draft §4.3.2: a subtree inclusion proof is the inclusion proof of leaf − start in the
    /// tree formed by the subtree's own leaves.
    public static func verifySubtreeInclusion(index: UInt64, start: UInt64, end: UInt64, leafHash: MerkleHash, proof: [MerkleHash], subtreeRoot: MerkleHash) throws(MerkleVerificationError) {
        guard isValidSubtree(start: start, end: end) else { throw Failure("[\(start), \(end)) is not a subtree") }
        guard index >= start, index < end else { throw Failure("leaf \(index) is outside [\(start), \(end))") }
        try verifyInclusion(index: index - start, size: end - start, leafHash: leafHash, proof: proof, root: subtreeRoot)
    }

    /// MTC draft §4.4.3 "Verifying a Subtree Consistency Proof": fn, sn and tn follow the
    /// subtree's first and last leaf and the tree's last leaf up the levels; fr rebuilds the
    /// subtree hash from the left-hand proof hashes, sr the whole tree's root.
    public static func verifySubtreeConsistency(start: UInt64, end: UInt64, size: UInt64, subtreeRoot: MerkleHash, root: MerkleHash, proof: [MerkleHash]) throws(MerkleVerificationError) {
        // The empty range is trivially contained in any tree; its hash is MTH({}) and it needs no
        // proof (the reference verifier's rule, exercised by the vectors).
        if start == end, end <= size {
            guard proof.isEmpty else { throw Failure("an empty subtree needs an empty proof") }
            guard subtreeRoot == MerkleHasher.emptyRoot else { throw Failure("an empty subtree's hash is SHA-256 of nothing") }
            return
        }
        guard isValidSubtree(start: start, end: end), end <= size else { throw Failure("[\(start), \(end)) is not a subtree of a tree of size \(size)") }
        // The whole tree: the proof is empty and the two hashes are the same value.
        if start == 0, end == size {
            guard proof.isEmpty else { throw Failure("the subtree is the whole tree: the proof must be empty") }
            guard subtreeRoot == root else { throw Failure("the subtree is the whole tree but the hashes differ") }
            return
        }
        for p in proof { try check(p, "a proof hash") }
        var fn = start, sn = end - 1, tn = size - 1
        func up() { fn >>= 1; sn >>= 1; tn >>= 1 }
        if sn == tn {
            while fn != sn { up() }  // flush with the right edge: no sibling until the subtree's top
        } else {
            while fn != sn && sn & 1 == 1 { up() }  // climb while the last leaf is a right child
        }
        var fr: MerkleHash, sr: MerkleHash, rest: ArraySlice<MerkleHash>
        if fn == sn {
            try check(subtreeRoot, "the subtree hash")
            fr = subtreeRoot; sr = subtreeRoot; rest = proof[...]
        } else {
            guard let first = proof.first else { throw Failure("the subtree consistency proof is empty") }
            fr = first; sr = first; rest = proof.dropFirst()
        }
        for c in rest {
            guard tn != 0 else { throw Failure("the subtree consistency proof is longer than the path") }
            if sn & 1 == 1 || sn == tn {
                if fn < sn { fr = MerkleHasher.nodeHash(c, fr) }
                sr = MerkleHasher.nodeHash(c, sr)
                while sn & 1 == 0 && sn != 0 { up() }
            } else {
                sr = MerkleHasher.nodeHash(sr, c)
            }
            up()
        }
        guard tn == 0 else { throw Failure("the subtree consistency proof is shorter than the path") }
        guard fr == subtreeRoot else { throw Failure("the proof does not lead to the subtree hash") }
        guard sr == root else { throw Failure("the proof does not lead to the tree root") }
    }
}
