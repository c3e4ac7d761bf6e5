/// `--shard i/n` for `mxray check --from-file`: which targets one shard checks. A pure function
/// of the target text and the shard, so n processes given the same list (in any order, on any
/// machine) split it without overlap or gaps, as an indexed batch job needs (Kubernetes Indexed
/// Job, Slurm array, GNU parallel). Shards are numbered from 0, like Kubernetes'
/// JOB_COMPLETION_INDEX. The key is the lower-cased target, so `Example.ORG` and `example.org`
/// land in the same shard.
public struct BulkShard: Sendable, Hashable, CustomStringConvertible {
    public let index: Int
    public let count: Int

    public init?(index: Int, count: Int) {
        guard count >= 1, index >= 0, index < count else { return nil }
        self.index = index
        self.count = count
    }

    /// `2/8` → shard 2 of 8 (0-based index).
    public init?(parsing text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]) else { return nil }
        self.init(index: i, count: n)
    }

    public var description: String { "\(index)/\(count)" }

    /// FNV-1a (64-bit) of the lower-cased UTF-8 target: stable across runs, platforms and Swift
    /// versions (unlike `Hasher`, which is seeded per process).
    public static func key(_ target: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in target.lowercased().utf8 {
            h ^= UInt64(b)
            h = h &* 0x0000_0100_0000_01B3
        }
        return h
    }

    public func contains(_ target: String) -> Bool {
        Int(Self.key(target) % UInt64(count)) == index
    }

    /// The targets of this shard, in their original order.
    public func select(_ targets: [String]) -> [String] { targets.filter(contains) }
}
