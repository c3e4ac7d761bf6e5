import Foundation
import Testing
@testable import Ledger

/// The transparency-dev/merkle test vectors (../shared/testdata/merkle, Apache-2.0, licence
/// beside them): inclusion, consistency, subtree inclusion and subtree consistency proofs, each
/// a JSON file with the inputs and whether verification must fail (`wantErr`).
@Suite struct MerkleVectorTests {
    struct Vector: Decodable {
        var leafIdx: UInt64?, treeSize: UInt64?, size1: UInt64?, size2: UInt64?
        var start: UInt64?, end: UInt64?, size: UInt64?
        var root: String?, leafHash: String?, root1: String?, root2: String?
        var proof: [String]?
        var desc: String
        var wantErr: Bool
    }

    static var directory: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/testdata/merkle/testdata").path
    }

    static func b64(_ s: String?) -> MerkleHash { Array(Data(base64Encoded: s ?? "") ?? Data()) }

    /// Runs one vector; returns nil when verification succeeded, else the reason.
    static func run(kind: String, _ v: Vector) -> String? {
        let proof = (v.proof ?? []).map { b64($0) }
        do {
            switch kind {
            case "inclusion":
                try MerkleVerifier.verifyInclusion(index: v.leafIdx!, size: v.treeSize!, leafHash: b64(v.leafHash), proof: proof, root: b64(v.root))
            case "consistency":
                try MerkleVerifier.verifyConsistency(first: v.size1!, second: v.size2!, firstRoot: b64(v.root1), secondRoot: b64(v.root2), proof: proof)
            case "subtreeinclusion":
                try MerkleVerifier.verifySubtreeInclusion(index: v.leafIdx!, start: v.start!, end: v.end!, leafHash: b64(v.leafHash), proof: proof, subtreeRoot: b64(v.root))
            case "subtreeconsistency":
                try MerkleVerifier.verifySubtreeConsistency(start: v.start!, end: v.end!, size: v.size!, subtreeRoot: b64(v.root1), root: b64(v.root2), proof: proof)
            default:
                return "unknown kind \(kind)"
            }
            return nil
        } catch {
            return error.reason
        }
    }

    @Test func allTransparencyDevVectors() throws {
        let root = Self.directory
        guard let walker = FileManager.default.enumerator(atPath: root) else {
            if ProcessInfo.processInfo.environment["CI"] == "true" { Issue.record("merkle test vectors missing at \(root)") }
            else { print("MerkleVectorTests: ../shared/testdata/merkle missing, skipped") }
            return
        }
        let files = walker.compactMap { $0 as? String }.filter { $0.hasSuffix(".json") }.sorted()
        var passed = 0, perKind: [String: (Int, Int)] = [:]
        for f in files {
            let kind = String(f.split(separator: "/")[0])
            let v = try JSONDecoder().decode(Vector.self, from: Data(contentsOf: URL(fileURLWithPath: root + "/" + f)))
            let failure = Self.run(kind: kind, v)
            let ok = v.wantErr == (failure != nil)
            #expect(ok, "\(f) (\(v.desc)): wantErr \(v.wantErr), got \(failure ?? "success")")
            if ok { passed += 1 }
            var k = perKind[kind] ?? (0, 0); k.0 += ok ? 1 : 0; k.1 += 1; perKind[kind] = k
        }
        print("MerkleVectorTests: \(passed) of \(files.count) transparency-dev vectors pass "
              + perKind.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value.0)/\($0.value.1)" }.joined(separator: ", "))
        #expect(files.count > 500)
        #expect(passed == files.count)
    }

    /// The reference tree of RFC 6962's test suite (and transparency-dev's): eight leaves whose
    /// proofs are the vectors' happy paths, so generation is checked against them too.
    static let referenceLeaves: [[UInt8]] = [
        [], [0x00], [0x10], [0x20, 0x21], [0x30, 0x31], [0x40, 0x41, 0x42, 0x43],
        [0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57],
        [0x60, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f],
    ]

    @Test func generatedProofsEqualTheHappyPathVectors() throws {
        let leaves = Self.referenceLeaves.map { MerkleHasher.leafHash($0) }
        #expect(Data(MerkleHasher.root(leaves)).base64EncodedString() == "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=")
        var compared = 0
        for dir in ["inclusion", "consistency"] {
            for n in 0...4 {
                let path = "\(Self.directory)/\(dir)/\(n)/happy-path.json"
                guard let data = FileManager.default.contents(atPath: path) else { continue }
                let v = try JSONDecoder().decode(Vector.self, from: data)
                let want = (v.proof ?? []).map { Self.b64($0) }
                if dir == "inclusion" {
                    #expect(try MerkleProofs.inclusion(index: v.leafIdx!, size: v.treeSize!, leaves: leaves) == want)
                    #expect(MerkleHasher.root(leaves[0..<Int(v.treeSize!)]) == Self.b64(v.root))
                } else {
                    #expect(try MerkleProofs.consistency(old: v.size1!, new: v.size2!, leaves: leaves) == want)
                    #expect(MerkleHasher.root(leaves[0..<Int(v.size2!)]) == Self.b64(v.root2))
                }
                compared += 1
            }
        }
        #expect(compared == 10 || ProcessInfo.processInfo.environment["CI"] != "true")
    }

    /// Every proof of every tree up to 33 leaves verifies, and each one with a flipped bit or a
    /// wrong size does not.
    @Test func generatedProofsVerifyAndMutationsFail() throws {
        let leaves = (0..<33).map { MerkleHasher.leafHash(Array("leaf \($0)".utf8)) }
        var acc = MerkleAccumulator()
        for n in 1...33 {
            acc.append(leafHash: leaves[n - 1])
            let root = MerkleHasher.root(leaves[0..<n])
            #expect(acc.root == root)
            for i in 0..<n {
                let p = try MerkleProofs.inclusion(index: UInt64(i), size: UInt64(n), leaves: leaves)
                #expect(throws: Never.self) { try MerkleVerifier.verifyInclusion(index: UInt64(i), size: UInt64(n), leafHash: leaves[i], proof: p, root: root) }
                if !p.isEmpty {
                    var bad = p; bad[bad.count / 2][7] ^= 0x10
                    #expect(throws: MerkleVerificationError.self) { try MerkleVerifier.verifyInclusion(index: UInt64(i), size: UInt64(n), leafHash: leaves[i], proof: bad, root: root) }
                }
                // Another leaf's hash at this position does not verify.
                #expect(throws: MerkleVerificationError.self) { try MerkleVerifier.verifyInclusion(index: UInt64(i), size: UInt64(n), leafHash: leaves[(i + 1) % 33], proof: p, root: root) }
            }
            for m in 1...n {
                let p = try MerkleProofs.consistency(old: UInt64(m), new: UInt64(n), leaves: leaves)
                let old = MerkleHasher.root(leaves[0..<m])
                #expect(throws: Never.self) { try MerkleVerifier.verifyConsistency(first: UInt64(m), second: UInt64(n), firstRoot: old, secondRoot: root, proof: p) }
                if !p.isEmpty {
                    var bad = p; bad[0][0] ^= 1
                    #expect(throws: MerkleVerificationError.self) { try MerkleVerifier.verifyConsistency(first: UInt64(m), second: UInt64(n), firstRoot: old, secondRoot: root, proof: bad) }
                }
            }
        }
    }
}
