/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), as used by iSCSI (RFC 3720 §12.1)
/// and ext4/Btrfs for record checksums: it catches every single-byte change and every burst
/// up to 32 bits, which is what lets the ledger tell a flipped byte from a torn write.
enum CRC32C {
    static let table: [UInt32] = (0..<256).map { i -> UInt32 in
        var c = UInt32(i)
        for _ in 0..<8 { c = c & 1 == 1 ? (c >> 1) ^ 0x82F6_3B78 : c >> 1 }
        return c
    }

    static func checksum(_ bytes: some Collection<UInt8>) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for b in bytes { c = table[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
        return c ^ 0xFFFF_FFFF
    }
}

extension Array where Element == UInt8 {
    mutating func appendBE(_ v: UInt64, bytes n: Int) {
        for i in stride(from: n - 1, through: 0, by: -1) { append(UInt8(truncatingIfNeeded: v >> (UInt64(i) * 8))) }
    }
}

extension Collection where Element == UInt8, Index == Int {
    func readBE(_ at: Int, bytes n: Int) -> UInt64 {
        var v: UInt64 = 0
        for i in 0..<n { v = v << 8 | UInt64(self[at + i]) }
        return v
    }
}
