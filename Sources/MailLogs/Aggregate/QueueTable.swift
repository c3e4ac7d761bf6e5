/// A queue id as a fixed 16-byte key (Postfix ids are at most 15 characters; longer ids are folded).
public struct QueueKey: Hashable, Sendable {
    var a: UInt64 = 0, b: UInt64 = 0
    init(_ bytes: LineBytes, _ s: Span) {
        var i = 0
        for k in Int(s.lo)..<Int(s.hi) {
            let c = UInt64(bytes[k])
            if i < 8 { a |= c << (8 * UInt64(i)) } else if i < 16 { b |= c << (8 * UInt64(i - 8)) } else { b = (b &* 31) ^ c }
            i += 1
        }
    }

    /// A well-mixed 64-bit hash (multiply–xorshift); queue ids share most of their bytes.
    @inline(__always) var mixed: UInt64 {
        var h = (a ^ (b &* 0x9E3779B97F4A7C15)) &* 0xBF58476D1CE4E5B9
        h ^= h >> 31
        h = h &* 0x94D049BB133111EB
        return h ^ (h >> 29)
    }
}

/// A client name kept with a queued message (for pflogsumm's sender-domain fallback) without a
/// heap allocation: up to 48 bytes inline, longer names in `QueueTable`'s side table.
struct ClientName: Sendable {
    static let inlineCapacity = 48
    var w: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0)
    /// Byte count when inline; `none` when absent, `long` when kept in the side table.
    var count: UInt8 = ClientName.none
    static let none: UInt8 = 255, long: UInt8 = 254

    init() {}
    init?(inline p: UnsafeBufferPointer<UInt8>) {
        guard p.count <= Self.inlineCapacity else { return nil }
        count = UInt8(p.count)
        withUnsafeMutableBytes(of: &w) { raw in
            if let src = p.baseAddress, p.count > 0 { raw.baseAddress!.copyMemory(from: src, byteCount: p.count) }
        }
    }
    var string: String? {
        guard count <= Self.inlineCapacity else { return nil }
        var copy = w
        return withUnsafeBytes(of: &copy) { raw in String(decoding: UnsafeRawBufferPointer(rebasing: raw[0..<Int(count)]), as: UTF8.self) }
    }
}

/// Per-message state kept from receipt to removal (see `LogAggregator`).
struct QState: Sendable {
    var size: Int64 = -1
    var received = false
    var deferred = false
    var unseenByPflogsumm = false
    var reinjectedSeenByPflogsumm = false
    var client = ClientName()
}

/// Open-addressing (linear probing) map from queue id to `QState`: one cache line per lookup and a
/// cheap hash, where `Dictionary` costs a SipHash and two arrays. Removal shifts back the entries
/// that follow (no tombstones), so lookups stay short however many messages come and go.
struct QueueTable: Sendable {
    struct Slot: Sendable { var key = QueueKey.empty; var used = false; var value = QState() }
    private var slots = [Slot](repeating: Slot(), count: 1024)
    private(set) var count = 0
    /// Client names longer than `ClientName.inlineCapacity`.
    private var longNames: [QueueKey: String] = [:]

    init() {}

    @inline(__always) private func find(_ k: QueueKey) -> (index: Int, found: Bool) {
        let mask = slots.count - 1
        var i = Int(truncatingIfNeeded: k.mixed) & mask
        return slots.withUnsafeBufferPointer { s in
            while s[i].used {
                if s[i].key == k { return (i, true) }
                i = (i + 1) & mask
            }
            return (i, false)
        }
    }

    subscript(_ k: QueueKey) -> QState? {
        get { let f = find(k); return f.found ? slots[f.index].value : nil }
        set {
            if let v = newValue { insert(k, v) } else { _ = removeValue(forKey: k) }
        }
    }

    mutating func insert(_ k: QueueKey, _ v: QState) {
        let f = find(k)
        if f.found { slots[f.index].value = v; return }
        slots[f.index] = Slot(key: k, used: true, value: v)
        count += 1
        if count * 2 > slots.count { grow() }
    }

    @discardableResult
    mutating func removeValue(forKey k: QueueKey) -> QState? {
        let f = find(k)
        guard f.found else { return nil }
        let old = slots[f.index].value
        if old.client.count == ClientName.long { longNames.removeValue(forKey: k) }
        count -= 1
        // Backward-shift deletion: move up every following entry whose home slot is at or before the hole.
        let mask = slots.count - 1
        var hole = f.index
        var j = (hole + 1) & mask
        while slots[j].used {
            let home = Int(truncatingIfNeeded: slots[j].key.mixed) & mask
            // Is `home` cyclically outside (hole, j]? Then the entry may move into the hole.
            let dHome = (j - home) & mask, dHole = (j - hole) & mask
            if dHome >= dHole { slots[hole] = slots[j]; hole = j }
            j = (j + 1) & mask
        }
        slots[hole] = Slot()
        return old
    }

    private mutating func grow() {
        let old = slots
        slots = [Slot](repeating: Slot(), count: old.count * 2)
        count = 0
        for s in old where s.used {
            let f = find(s.key)
            slots[f.index] = s
            count += 1
        }
    }

    /// The client name kept for `k`'s state.
    func clientName(_ k: QueueKey, _ st: QState) -> String? {
        st.client.count == ClientName.long ? longNames[k] : st.client.string
    }

    /// Sets the client name of `st` (stored into the table by the caller's next write of `st` under `k`).
    mutating func setClientName(_ k: QueueKey, _ st: inout QState, _ p: UnsafeBufferPointer<UInt8>) {
        if st.client.count == ClientName.long { longNames.removeValue(forKey: k) }
        if let c = ClientName(inline: p) { st.client = c; return }
        var c = ClientName(); c.count = ClientName.long
        st.client = c
        longNames[k] = String(decoding: p, as: UTF8.self)
    }

    func forEach(_ body: (QueueKey, QState, String?) -> Void) {
        for s in slots where s.used { body(s.key, s.value, clientName(s.key, s.value)) }
    }
}

extension QueueKey {
    static let empty = QueueKey()
    init() {}
}
