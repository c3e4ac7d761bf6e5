/// Counts byte-string keys without allocating per lookup, in bounded memory.
///
/// Exact up to `capacity` distinct keys. Past that it keeps the heavy hitters: when full it drops
/// the lower half of the counts (a batched Misra–Gries step), so any key with more than about
/// n/(capacity/2) occurrences survives, and sets `approximate`. Distinct counts then come from a
/// HyperLogLog sketch that sees every key.
public struct ByteCounter: Sendable {
    public struct Entry: Sendable { var offset: Int32; var length: Int32; var hash: UInt64; public var count: Int64; public var bytes: Int64 }
    var arena: [UInt8] = []
    public private(set) var entries: [Entry] = []
    var slots: [Int32]
    public let capacity: Int
    public private(set) var approximate = false
    public private(set) var total: Int64 = 0
    var hll = HyperLogLog()
    var last = -1

    public init(capacity: Int = 50_000) {
        self.capacity = max(capacity, 16)
        slots = [Int32](repeating: -1, count: 64)
    }

    /// 64-bit hash of a byte string, eight bytes at a time (multiply–xorshift mixing).
    @inlinable static func hash(_ p: UnsafeBufferPointer<UInt8>) -> UInt64 {
        guard let base = p.baseAddress else { return 0x9E3779B97F4A7C15 }
        let raw = UnsafeRawPointer(base)
        var h: UInt64 = 0x9E3779B97F4A7C15 ^ UInt64(p.count)
        var i = 0
        while i + 8 <= p.count {
            h = (h ^ raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0xBF58476D1CE4E5B9
            h ^= h >> 31
            i += 8
        }
        var tail: UInt64 = 0, shift: UInt64 = 0
        while i < p.count { tail |= UInt64(base[i]) << shift; shift += 8; i += 1 }
        h = (h ^ tail) &* 0x94D049BB133111EB
        return h ^ (h >> 29)
    }

    public mutating func add(_ p: UnsafeBufferPointer<UInt8>, count: Int64 = 1, bytes: Int64 = 0) {
        // The same key as last time (one relay, one status code, one TLS version in a row) is common:
        // compare it directly and skip hashing. The HyperLogLog already holds it.
        if last >= 0, last < entries.count, Int(entries[last].length) == p.count, equalKey(entries[last], p) {
            total += count
            entries[last].count += count
            entries[last].bytes += bytes
            return
        }
        let h = Self.hash(p)
        total += count
        hll.add(h)
        let mask = slots.count - 1
        var s = Int(truncatingIfNeeded: h) & mask
        while true {
            let idx = Int(slots[s])
            if idx < 0 { break }
            let en = entries[idx]
            if en.hash == h, Int(en.length) == p.count, equalKey(en, p) {
                entries[idx].count += count
                entries[idx].bytes += bytes
                last = idx
                return
            }
            s = (s + 1) & mask
        }
        if entries.count >= capacity { prune(); add(p, count: count, bytes: bytes, rehashOnly: h); return }
        insert(p, h, count, bytes, slot: s)
    }

    private mutating func add(_ p: UnsafeBufferPointer<UInt8>, count: Int64, bytes: Int64, rehashOnly h: UInt64) {
        let mask = slots.count - 1
        var s = Int(truncatingIfNeeded: h) & mask
        while slots[s] >= 0 { s = (s + 1) & mask }
        insert(p, h, count, bytes, slot: s)
    }

    private mutating func insert(_ p: UnsafeBufferPointer<UInt8>, _ h: UInt64, _ count: Int64, _ bytes: Int64, slot s: Int) {
        let off = arena.count
        arena.append(contentsOf: p)
        entries.append(Entry(offset: Int32(off), length: Int32(p.count), hash: h, count: count, bytes: bytes))
        slots[s] = Int32(entries.count - 1)
        last = entries.count - 1
        if entries.count * 2 > slots.count { rehash(slots.count * 2) }
    }

    func equalKey(_ en: Entry, _ p: UnsafeBufferPointer<UInt8>) -> Bool {
        guard p.count > 0 else { return true }
        return arena.withUnsafeBufferPointer { a in memcmp(a.baseAddress! + Int(en.offset), p.baseAddress!, p.count) == 0 }
    }

    private mutating func rehash(_ n: Int) {
        slots = [Int32](repeating: -1, count: n)
        let mask = n - 1
        for (i, en) in entries.enumerated() {
            var s = Int(truncatingIfNeeded: en.hash) & mask
            while slots[s] >= 0 { s = (s + 1) & mask }
            slots[s] = Int32(i)
        }
    }

    /// Keeps the upper half of the counts (heavy hitters); compacts the arena.
    private mutating func prune() {
        approximate = true
        let sorted = entries.map(\.count).sorted()
        let threshold = sorted[sorted.count / 2]
        var kept: [Entry] = []
        var newArena: [UInt8] = []
        kept.reserveCapacity(entries.count / 2 + 1)
        for en in entries where en.count > threshold {
            let off = newArena.count
            newArena.append(contentsOf: arena[Int(en.offset)..<Int(en.offset + en.length)])
            kept.append(Entry(offset: Int32(off), length: en.length, hash: en.hash, count: en.count, bytes: en.bytes))
        }
        entries = kept
        arena = newArena
        last = -1
        rehash(slots.count)
    }

    public func key(_ en: Entry) -> String {
        String(decoding: arena[Int(en.offset)..<Int(en.offset + en.length)], as: UTF8.self)
    }

    /// Distinct keys seen: exact while not `approximate`, else the HyperLogLog estimate.
    public var distinct: Int { approximate ? max(hll.estimate, entries.count) : entries.count }

    /// The `n` largest by count (ties by key), as (key, count, bytes).
    public func top(_ n: Int) -> [(key: String, count: Int64, bytes: Int64)] {
        let best = entries.sorted { $0.count != $1.count ? $0.count > $1.count : key($0) < key($1) }.prefix(n)
        return best.map { (key($0), $0.count, $0.bytes) }
    }

    public func count(of k: String) -> Int64 {
        var s = k
        return s.withUTF8 { p in
            let h = Self.hash(p)
            let mask = slots.count - 1
            var i = Int(truncatingIfNeeded: h) & mask
            while slots[i] >= 0 {
                let en = entries[Int(slots[i])]
                if en.hash == h, Int(en.length) == p.count, equalKey(en, p) { return en.count }
                i = (i + 1) & mask
            }
            return 0
        }
    }

    public mutating func merge(_ o: ByteCounter) {
        o.arena.withUnsafeBufferPointer { a in
            for en in o.entries {
                add(UnsafeBufferPointer(rebasing: a[Int(en.offset)..<Int(en.offset + en.length)]), count: en.count, bytes: en.bytes)
                total -= en.count
            }
        }
        total += o.total
        hll.merge(o.hll)
        if o.approximate { approximate = true }
    }

    public mutating func add(_ s: String, count: Int64 = 1, bytes: Int64 = 0) {
        var c = s
        c.withUTF8 { add($0, count: count, bytes: bytes) }
    }
}

/// HyperLogLog distinct-count sketch, 2^12 registers (≈1.6 % standard error).
public struct HyperLogLog: Sendable {
    var registers = [UInt8](repeating: 0, count: 4096)
    public init() {}
    public mutating func add(_ hash: UInt64) {
        let h = hash &* 0x9E3779B97F4A7C15
        let idx = Int(h >> 52)
        let rest = (h << 12) | (1 << 11)
        let rank = UInt8(rest.leadingZeroBitCount + 1)
        if registers[idx] < rank { registers[idx] = rank }
    }
    public mutating func merge(_ o: HyperLogLog) { for i in 0..<registers.count where o.registers[i] > registers[i] { registers[i] = o.registers[i] } }
    public var estimate: Int {
        let m = Double(registers.count)
        var sum = 0.0, zeros = 0
        for r in registers { sum += 1.0 / Double(UInt64(1) << UInt64(r)); if r == 0 { zeros += 1 } }
        let e = 0.7213 / (1 + 1.079 / m) * m * m / sum
        if e <= 2.5 * m, zeros > 0 { return Int((m * log(m / Double(zeros))).rounded()) }
        return Int(e.rounded())
    }
}

/// Log-bucketed histogram of non-negative values (delays in seconds): 32 buckets per doubling
/// from 1 ms, so percentiles are within ≈2 % of the true value, in fixed memory.
public struct LogHistogram: Sendable, Codable {
    var buckets = [Int64](repeating: 0, count: 1 + 32 * 32)
    public private(set) var count: Int64 = 0
    public private(set) var sum: Double = 0
    public private(set) var max: Double = 0
    public init() {}

    @inlinable static func index(_ v: Double) -> Int {
        let ms = v * 1000
        if ms < 1 { return 0 }
        return Swift.min(1 + Int(log2(ms) * 32), 32 * 32)
    }
    static func upper(_ i: Int) -> Double { i == 0 ? 0.001 : pow(2, Double(i) / 32) / 1000 }

    public mutating func add(_ v: Double) {
        guard v >= 0, v.isFinite else { return }
        buckets[Self.index(v)] += 1
        count += 1; sum += v
        if v > max { max = v }
    }
    public mutating func merge(_ o: LogHistogram) {
        for i in 0..<buckets.count { buckets[i] += o.buckets[i] }
        count += o.count; sum += o.sum; max = Swift.max(max, o.max)
    }
    /// The value at quantile q (0…1); never above the exact maximum.
    public func quantile(_ q: Double) -> Double {
        guard count > 0 else { return 0 }
        let target = Int64((Double(count) * q).rounded(.up))
        var seen: Int64 = 0
        for (i, n) in buckets.enumerated() {
            seen += n
            if seen >= Swift.max(target, 1) { return Swift.min(Self.upper(i), max) }
        }
        return max
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
