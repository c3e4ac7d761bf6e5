/// Counts byte-string keys without allocating per lookup, in bounded memory.
///
/// Exact up to `capacity` distinct keys. Past that it keeps the heavy hitters: when full it drops
/// the lower half of the counts (a batched Misra–Gries step), so any key with more than about
/// n/(capacity/2) occurrences survives, and sets `approximate`. Distinct counts then come from a
/// HyperLogLog sketch that sees every key.
public struct ByteCounter: Sendable {
    /// One key's figures, as `entries` lists them.
    public struct Entry: Sendable { var record: Int; public var count: Int64; public var bytes: Int64 }

    // Each key is one record in `store`, eight-byte words: count, bytes, hash, length, then the
    // key's bytes. A slot holds the upper half of the key's hash and its record's word offset + 1
    // (0: empty), so a lookup reads one slot and one record (the figures beside the key), and a
    // slot whose fingerprint differs is passed without reading a record at all.
    var store: [UInt64] = []
    var records: [Int32] = []          // record offsets in insertion order
    var slots: [UInt64]
    public let capacity: Int
    public private(set) var approximate = false
    public private(set) var total: Int64 = 0
    var hll = HyperLogLog()
    var last = -1
    /// When set, `prune` keeps what it drops in `dropped` (until the owner folds it in), so a
    /// counter derived from this one (domains from addresses) can still count it.
    var keepsDropped = false
    var dropped: [(key: [UInt8], count: Int64, bytes: Int64)] = []

    static let header = 4   // words before the key bytes

    public init(capacity: Int = 50_000) {
        self.capacity = max(capacity, 16)
        slots = [UInt64](repeating: 0, count: 64)
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

    /// Number of keys kept.
    public var keyCount: Int { records.count }

    /// The kept keys' figures, in insertion order.
    public var entries: [Entry] { records.map { Entry(record: Int($0), count: Int64(bitPattern: store[Int($0)]), bytes: Int64(bitPattern: store[Int($0) + 1])) } }

    public mutating func add(_ p: UnsafeBufferPointer<UInt8>, count: Int64 = 1, bytes: Int64 = 0) {
        // The same key as last time (one relay, one status code, one TLS version in a row) is common:
        // compare it directly and skip hashing. The HyperLogLog already holds it.
        if last >= 0, matches(last, p) {
            total += count
            bump(last, count, bytes)
            return
        }
        let h = Self.hash(p)
        total += count
        let mask = slots.count - 1
        let fp = h >> 32
        var s = Int(truncatingIfNeeded: h) & mask
        while true {
            let v = slots[s]
            if v == 0 { break }
            if v >> 32 == fp {
                let r = Int(v & 0xFFFF_FFFF) - 1
                if matches(r, p) {
                    bump(r, count, bytes)
                    last = r
                    return
                }
            }
            s = (s + 1) & mask
        }
        if records.count >= capacity { prune(); add(p, count: count, bytes: bytes, rehashOnly: h); return }
        insert(p, h, count, bytes, slot: s)
    }

    @inline(__always) private mutating func bump(_ r: Int, _ count: Int64, _ bytes: Int64) {
        store.withUnsafeMutableBufferPointer { w in
            w[r] = UInt64(bitPattern: Int64(bitPattern: w[r]) &+ count)
            w[r + 1] = UInt64(bitPattern: Int64(bitPattern: w[r + 1]) &+ bytes)
        }
    }

    /// True when record `r` holds the key `p`.
    @inline(__always) func matches(_ r: Int, _ p: UnsafeBufferPointer<UInt8>) -> Bool {
        store.withUnsafeBufferPointer { w in
            guard w[r + 3] == UInt64(p.count) else { return false }
            guard p.count > 0 else { return true }
            return Self.bytesEqual(UnsafeRawPointer(w.baseAddress! + r + Self.header), UnsafeRawPointer(p.baseAddress!), p.count)
        }
    }

    /// `memcmp(x, y, n) == 0` for short keys, eight bytes at a time and without a library call.
    @inline(__always) static func bytesEqual(_ x: UnsafeRawPointer, _ y: UnsafeRawPointer, _ n: Int) -> Bool {
        var i = 0
        while i + 8 <= n {
            if x.loadUnaligned(fromByteOffset: i, as: UInt64.self) != y.loadUnaligned(fromByteOffset: i, as: UInt64.self) { return false }
            i += 8
        }
        while i < n {
            if x.load(fromByteOffset: i, as: UInt8.self) != y.load(fromByteOffset: i, as: UInt8.self) { return false }
            i += 1
        }
        return true
    }

    private mutating func add(_ p: UnsafeBufferPointer<UInt8>, count: Int64, bytes: Int64, rehashOnly h: UInt64) {
        let mask = slots.count - 1
        var s = Int(truncatingIfNeeded: h) & mask
        while slots[s] != 0 { s = (s + 1) & mask }
        insert(p, h, count, bytes, slot: s)
    }

    /// A key not in the table: the HyperLogLog sees it here (a key found in the table was seen when
    /// it was inserted, so the sketch needs no update then).
    private mutating func insert(_ p: UnsafeBufferPointer<UInt8>, _ h: UInt64, _ count: Int64, _ bytes: Int64, slot s: Int) {
        hll.add(h)
        let r = appendRecord(p, h, count, bytes)
        slots[s] = (h >> 32) << 32 | UInt64(r + 1)
        last = r
        if records.count * 2 > slots.count { rehash(slots.count * 2) }
    }

    /// Appends a record to `store` and `records`; returns its offset.
    private mutating func appendRecord(_ p: UnsafeBufferPointer<UInt8>, _ h: UInt64, _ count: Int64, _ bytes: Int64) -> Int {
        let r = store.count
        store.append(UInt64(bitPattern: count)); store.append(UInt64(bitPattern: bytes)); store.append(h); store.append(UInt64(p.count))
        let words = (p.count + 7) / 8
        store.append(contentsOf: repeatElement(0, count: words))
        if p.count > 0 {
            store.withUnsafeMutableBufferPointer { w in
                UnsafeMutableRawPointer(w.baseAddress! + r + Self.header).copyMemory(from: p.baseAddress!, byteCount: p.count)
            }
        }
        records.append(Int32(truncatingIfNeeded: r))
        return r
    }

    private mutating func rehash(_ n: Int) {
        slots = [UInt64](repeating: 0, count: n)
        let mask = n - 1
        for r32 in records {
            let r = Int(r32)
            let h = store[r + 2]
            var s = Int(truncatingIfNeeded: h) & mask
            while slots[s] != 0 { s = (s + 1) & mask }
            slots[s] = (h >> 32) << 32 | UInt64(r + 1)
        }
    }

    /// The key bytes of record `r`.
    func keyBytes<R>(_ r: Int, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        store.withUnsafeBufferPointer { w in
            let n = Int(w[r + 3])
            return UnsafeRawPointer(w.baseAddress! + r + Self.header).withMemoryRebound(to: UInt8.self, capacity: max(n, 1)) { body(UnsafeBufferPointer(start: $0, count: n)) }
        }
    }

    /// Keeps the upper half of the counts (heavy hitters); compacts the store.
    private mutating func prune() {
        approximate = true
        let old = self
        let sorted = records.map { Int64(bitPattern: store[Int($0)]) }.sorted()
        let threshold = sorted[sorted.count / 2]
        store = []
        records = []
        records.reserveCapacity(old.records.count / 2 + 1)
        for r32 in old.records {
            let r = Int(r32)
            let c = Int64(bitPattern: old.store[r]), b = Int64(bitPattern: old.store[r + 1]), h = old.store[r + 2]
            old.keyBytes(r) { k in
                if c > threshold { _ = appendRecord(k, h, c, b) }
                else if keepsDropped { dropped.append((Array(k), c, b)) }
            }
        }
        last = -1
        rehash(slots.count)
    }

    func key(_ r: Int) -> String { keyBytes(r) { String(decoding: $0, as: UTF8.self) } }
    public func key(_ en: Entry) -> String { key(en.record) }

    /// Distinct keys seen: exact while not `approximate`, else the HyperLogLog estimate.
    public var distinct: Int { approximate ? max(hll.estimate, records.count) : records.count }

    /// The `n` largest by count (ties by key), as (key, count, bytes).
    public func top(_ n: Int) -> [(key: String, count: Int64, bytes: Int64)] {
        guard n > 0, !records.isEmpty else { return [] }
        // Only keys counted at least as often as the n-th largest count can be in the result:
        // make Strings for those alone.
        var floor = Int64.min
        if n < records.count {
            var counts = records.map { Int64(bitPattern: store[Int($0)]) }
            counts.sort(by: >)
            floor = counts[n - 1]
        }
        let chosen = records.filter { Int64(bitPattern: store[Int($0)]) >= floor }
        let all = chosen.map { r in (key: key(Int(r)), count: Int64(bitPattern: store[Int(r)]), bytes: Int64(bitPattern: store[Int(r) + 1])) }
        return Array(all.sorted { $0.count != $1.count ? $0.count > $1.count : $0.key < $1.key }.prefix(n))
    }

    public func count(of k: String) -> Int64 {
        var s = k
        return s.withUTF8 { p in
            let h = Self.hash(p)
            let mask = slots.count - 1
            var i = Int(truncatingIfNeeded: h) & mask
            while slots[i] != 0 {
                let r = Int(slots[i] & 0xFFFF_FFFF) - 1
                if slots[i] >> 32 == h >> 32, matches(r, p) { return Int64(bitPattern: store[r]) }
                i = (i + 1) & mask
            }
            return 0
        }
    }

    /// Calls `body` with each kept key's bytes, count and byte total.
    func forEachKey(_ body: (UnsafeBufferPointer<UInt8>, Int64, Int64) -> Void) {
        for r32 in records {
            let r = Int(r32)
            keyBytes(r) { body($0, Int64(bitPattern: store[r]), Int64(bitPattern: store[r + 1])) }
        }
    }

    public mutating func merge(_ o: ByteCounter) {
        o.forEachKey { k, c, b in
            add(k, count: c, bytes: b)
            total -= c
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
        if ms >= 4_294_967_296 { return 32 * 32 }       // log2 ≥ 32: the last bucket
        // log2(ms) = exponent + log2(significand): the bucket within the doubling comes from a table
        // over the significand's top 10 bits; a table cell a bucket edge passes through (-1) asks
        // log2 itself, so the result is always exactly `1 + Int(log2(ms) * 32)`.
        let k = subBucket[Int(truncatingIfNeeded: ms.significandBitPattern >> 42)]
        if k >= 0 { return Swift.min(1 + Int(ms.exponent) * 32 + Int(k), 32 * 32) }
        return Swift.min(1 + Int(log2(ms) * 32), 32 * 32)
    }

    /// For significand cell j (`[1 + j/1024, 1 + (j+1)/1024)`): the bucket k (0…31) every value in
    /// it falls in, or -1 when a bucket edge 2^(k/32) lies in or within 1e-9 of the cell.
    @usableFromInline static let subBucket: [Int8] = (0..<1024).map { j in
        let lo = (1 + Double(j) / 1024) * (1 - 1e-9), hi = (1 + Double(j + 1) / 1024) * (1 + 1e-9)
        let a = floor(log2(lo) * 32), b = floor(log2(hi) * 32)
        return a == b && a >= 0 && a < 32 ? Int8(a) : -1
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
