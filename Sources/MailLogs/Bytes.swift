#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A half-open byte range `[lo, hi)` inside one log line. Decoders return spans instead of
/// `String`s so that a line costs no allocation; `LineBytes.string(_:)` makes text on demand.
public struct Span: Sendable, Equatable, Hashable {
    public var lo: Int32
    public var hi: Int32
    @inlinable public init(_ lo: Int, _ hi: Int) { self.lo = Int32(truncatingIfNeeded: lo); self.hi = Int32(truncatingIfNeeded: hi) }
    public static let none = Span(0, -1)
    @inlinable public var isSet: Bool { hi >= lo }
    @inlinable public var count: Int { isSet ? Int(hi - lo) : 0 }
}

/// A borrowed view of one line's bytes (no trailing newline). Valid only inside the callback
/// that hands it out; copy what must outlive it with `string(_:)` or `bytes(_:)`.
public struct LineBytes {
    public let base: UnsafeBufferPointer<UInt8>
    @inlinable public init(_ base: UnsafeBufferPointer<UInt8>) { self.base = base }
    @inlinable public var count: Int { base.count }
    @inlinable public subscript(i: Int) -> UInt8 { base[i] }

    public func string(_ s: Span) -> String {
        guard s.isSet, s.lo >= 0, Int(s.hi) <= base.count else { return "" }
        return String(decoding: UnsafeBufferPointer(rebasing: base[Int(s.lo)..<Int(s.hi)]), as: UTF8.self)
    }
    public func string(_ s: Span, orNil: Bool) -> String? { s.isSet ? string(s) : nil }
    public var text: String { String(decoding: base, as: UTF8.self) }

    @inlinable public func slice(_ s: Span) -> UnsafeBufferPointer<UInt8> {
        guard s.isSet, s.lo >= 0, Int(s.hi) <= base.count else { return UnsafeBufferPointer(start: nil, count: 0) }
        return UnsafeBufferPointer(rebasing: base[Int(s.lo)..<Int(s.hi)])
    }

    /// Index of `byte` in `[from, to)`, or nil (memchr).
    /// Most searches in a line are short: the first 64 bytes are scanned inline, eight at a time
    /// (a word has the byte where `(x - 0x01…) & ~x & 0x80…` of `x = word ^ byte×0x01…` is set,
    /// and the lowest set bit is exact), the rest by memchr.
    @inlinable @inline(__always) public func find(_ byte: UInt8, from: Int, to: Int? = nil) -> Int? {
        let end = min(to ?? base.count, base.count)
        guard from < end, let start = base.baseAddress else { return nil }
        var i = from
        let quick = min(end, from + 64)
        let pattern = UInt64(byte) &* 0x0101_0101_0101_0101
        while i + 8 <= quick {
            let x = UnsafeRawPointer(start + i).loadUnaligned(as: UInt64.self) ^ pattern
            let t = (x &- 0x0101_0101_0101_0101) & ~x & 0x8080_8080_8080_8080
            if t != 0 { return i + t.trailingZeroBitCount >> 3 }
            i += 8
        }
        while i < quick { if start[i] == byte { return i }; i += 1 }
        guard i < end, let p = memchr(start + i, Int32(byte), end - i) else { return nil }
        return start.distance(to: p.assumingMemoryBound(to: UInt8.self))
    }

    /// Index of the last `byte` in `[from, to)`.
    @inlinable public func findLast(_ byte: UInt8, from: Int = 0, to: Int? = nil) -> Int? {
        var i = min(to ?? base.count, base.count) - 1
        while i >= from { if base[i] == byte { return i }; i -= 1 }
        return nil
    }

    /// Index of `needle` in `[from, to)`, or nil (memchr on the first byte, then memcmp).
    @inlinable @inline(__always) public func find(_ needle: StaticString, from: Int, to: Int? = nil) -> Int? {
        let end = min(to ?? base.count, base.count)
        let n = needle.utf8CodeUnitCount
        guard from >= 0, n > 0, end - from >= n, let start = base.baseAddress else { return nil }
        let first = Int32(needle.utf8Start.pointee)
        var i = from
        let last = end - n
        while i <= last {
            guard let p = memchr(start + i, first, last - i + 1) else { return nil }
            let j = start.distance(to: p.assumingMemoryBound(to: UInt8.self))
            if memcmp(start + j, needle.utf8Start, n) == 0 { return j }
            i = j + 1
        }
        return nil
    }

    /// Index of `needle` (lower-case ASCII) in `[from, to)`, ignoring ASCII case.
    @inlinable public func findCaseless(_ needle: StaticString, from: Int, to: Int? = nil) -> Int? {
        let end = min(to ?? base.count, base.count)
        let n = needle.utf8CodeUnitCount
        guard from >= 0, n > 0, end - from >= n else { return nil }
        let l = needle.utf8Start
        var i = from
        while i <= end - n {
            var k = 0
            while k < n, lowerASCII(base[i + k]) == l[k] { k += 1 }
            if k == n { return i }
            i += 1
        }
        return nil
    }

    /// The last occurrence of `needle` in `[from, to)`.
    public func findLast(_ needle: StaticString, from: Int = 0, to: Int? = nil) -> Int? {
        var found: Int? = nil
        var i = from
        while let j = find(needle, from: i, to: to) { found = j; i = j + 1 }
        return found
    }

    /// True when the bytes at `at` equal `literal`. Always inlined: with the literal known at the
    /// call site the compare folds to one or two word loads.
    @inlinable @inline(__always) public func matches(_ literal: StaticString, at: Int) -> Bool {
        let n = literal.utf8CodeUnitCount
        guard at >= 0, at + n <= base.count, let start = base.baseAddress else { return false }
        let l = UnsafeRawPointer(literal.utf8Start), x = UnsafeRawPointer(start + at)
        var k = 0
        while k + 8 <= n {
            if x.loadUnaligned(fromByteOffset: k, as: UInt64.self) != l.loadUnaligned(fromByteOffset: k, as: UInt64.self) { return false }
            k += 8
        }
        while k < n { if x.load(fromByteOffset: k, as: UInt8.self) != l.load(fromByteOffset: k, as: UInt8.self) { return false }; k += 1 }
        return true
    }

    @inlinable @inline(__always) public func equals(_ s: Span, _ literal: StaticString) -> Bool {
        s.count == literal.utf8CodeUnitCount && matches(literal, at: Int(s.lo))
    }

    /// Decimal integer at `[s.lo, s.hi)`; nil when empty, not all digits or longer than 18 digits.
    @inlinable public func int(_ s: Span) -> Int64? {
        guard s.isSet, s.count > 0, s.count <= 18, Int(s.hi) <= base.count else { return nil }
        var v: Int64 = 0
        for i in Int(s.lo)..<Int(s.hi) {
            let d = base[i] &- 48
            guard d < 10 else { return nil }
            v = v &* 10 &+ Int64(d)
        }
        return v
    }

    /// A plain decimal (`12`, `0.05`, `63495`) as used in Postfix delays; nil when malformed.
    @inlinable public func decimal(_ s: Span) -> Double? {
        guard s.isSet, s.count > 0, s.count <= 24, Int(s.hi) <= base.count else { return nil }
        var whole: Int64 = 0, frac: Int64 = 0, scale: Double = 1, seenDot = false, digits = 0
        var i = Int(s.lo)
        var negative = false
        if base[i] == UInt8(ascii: "-") { negative = true; i += 1 }
        while i < Int(s.hi) {
            let c = base[i]
            if c == UInt8(ascii: ".") { if seenDot { return nil }; seenDot = true }
            else if c &- 48 < 10 {
                digits += 1
                if digits > 17 { return nil }
                if seenDot { frac = frac * 10 + Int64(c - 48); scale *= 10 } else { whole = whole * 10 + Int64(c - 48) }
            } else if c == UInt8(ascii: "e") || c == UInt8(ascii: "E") {
                return Double(string(s))
            } else { return nil }
            i += 1
        }
        guard digits > 0 else { return nil }
        let v = Double(whole) + Double(frac) / scale
        return negative ? -v : v
    }

    /// Skips spaces from `i`.
    @inlinable public func skipSpaces(_ i: Int) -> Int {
        var j = i
        while j < base.count, base[j] == 32 { j += 1 }
        return j
    }

    /// End of the token starting at `i` (first space or end of line).
    @inlinable @inline(__always) public func tokenEnd(_ i: Int) -> Int {
        find(32, from: i) ?? base.count
    }
}

@inlinable func isDigit(_ c: UInt8) -> Bool { c &- 48 < 10 }
@inlinable func isAlnum(_ c: UInt8) -> Bool { c &- 48 < 10 || (c | 0x20) &- 97 < 26 }
@inlinable func lowerASCII(_ c: UInt8) -> UInt8 { c &- 65 < 26 ? c | 0x20 : c }

/// Runs `body` over a `String`'s UTF-8 bytes as a `LineBytes` (tests, fuzzing, small inputs).
public func withLineBytes<R>(_ text: String, _ body: (LineBytes) throws -> R) rethrows -> R {
    var copy = text
    return try copy.withUTF8 { try body(LineBytes($0)) }
}

/// Same for a byte array.
public func withLineBytes<R>(_ bytes: [UInt8], _ body: (LineBytes) throws -> R) rethrows -> R {
    try bytes.withUnsafeBufferPointer { try body(LineBytes($0)) }
}
