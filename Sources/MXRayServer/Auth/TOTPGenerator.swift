import Crypto
import Foundation

/// Time-based one-time passwords, RFC 6238, over HOTP (RFC 4226) with swift-crypto's HMAC.
///
/// Our own rather than HummingbirdOTP's: that one keys the HMAC with the UTF-8 bytes of a
/// string, while authenticator apps share a Base32-encoded key of arbitrary bytes (RFC 6238 §3
/// R3, and the `otpauth://` convention), and we need the time-step counter to refuse replays.
public struct TOTPGenerator: Sendable {
    public enum Algorithm: String, Sendable { case sha1, sha256, sha512 }

    public let key: [UInt8]
    public let digits: Int
    /// RFC 6238 §4.1: X, the time step in seconds (30 recommended, §5.2).
    public let period: Int
    public let algorithm: Algorithm

    public init(key: [UInt8], digits: Int = 6, period: Int = 30, algorithm: Algorithm = .sha1) {
        self.key = key
        self.digits = digits
        self.period = period
        self.algorithm = algorithm
    }

    /// A Base32 secret as authenticator apps show it (spaces and case ignored, padding optional).
    public init?(base32Secret: String, digits: Int = 6, period: Int = 30, algorithm: Algorithm = .sha1) {
        guard let key = Base32.decode(base32Secret), !key.isEmpty else { return nil }
        self.init(key: key, digits: digits, period: period, algorithm: algorithm)
    }

    /// RFC 6238 §4.2: T = floor((unix time − T0) / X), T0 = 0.
    public func counter(at date: Date) -> UInt64 {
        let t = date.timeIntervalSince1970
        return t <= 0 ? 0 : UInt64(t / Double(period))
    }

    /// RFC 4226 §5.3: HMAC over the 8-byte big-endian counter, dynamic truncation, modulo 10^digits.
    public func code(counter: UInt64) -> String {
        let message = withUnsafeBytes(of: counter.bigEndian) { Array($0) }
        let symmetric = SymmetricKey(data: key)
        let mac: [UInt8]
        switch algorithm {
        case .sha1: mac = Array(HMAC<Insecure.SHA1>.authenticationCode(for: message, using: symmetric))
        case .sha256: mac = Array(HMAC<SHA256>.authenticationCode(for: message, using: symmetric))
        case .sha512: mac = Array(HMAC<SHA512>.authenticationCode(for: message, using: symmetric))
        }
        let offset = Int(mac[mac.count - 1] & 0x0F)
        let binary = (UInt32(mac[offset] & 0x7F) << 24) | (UInt32(mac[offset + 1]) << 16)
            | (UInt32(mac[offset + 2]) << 8) | UInt32(mac[offset + 3])
        var modulus: UInt32 = 1
        for _ in 0..<digits { modulus &*= 10 }
        let value = binary % modulus
        let s = String(value)
        return String(repeating: "0", count: max(0, digits - s.count)) + s
    }

    public func code(at date: Date) -> String { code(counter: counter(at: date)) }

    /// The time step `submitted` belongs to, accepting the current step and one on either side
    /// (RFC 6238 §5.2 allows a window for clock drift and network delay; we allow ±1 step).
    /// Constant-time comparison of each candidate.
    public func matchingCounter(_ submitted: String, at date: Date) -> UInt64? {
        let digitsOnly = submitted.filter { !$0.isWhitespace }
        guard digitsOnly.count == digits, digitsOnly.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        let now = counter(at: date)
        var found: UInt64?
        for c in [now &- 1, now, now &+ 1] where c <= now &+ 1 {
            if ConstantTime.equal(Array(code(counter: c).utf8), Array(digitsOnly.utf8)) { found = c }
        }
        return found
    }
}

/// RFC 6238 §5.2: "the verifier MUST NOT accept the second attempt of the OTP after the
/// successful validation has been issued for the first OTP". We remember, per user, the highest
/// time step used and refuse any code from that step or an earlier one.
public actor TOTPReplayGuard {
    private var lastUsed: [String: UInt64] = [:]

    public init() {}

    /// Records the step as used; false when it (or a later one) was already used.
    public func consume(user: String, counter: UInt64) -> Bool {
        if let last = lastUsed[user], counter <= last { return false }
        lastUsed[user] = counter
        return true
    }
}

/// RFC 4648 §6 Base32 (the alphabet authenticator apps use).
public enum Base32 {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".utf8)

    public static func decode(_ text: String) -> [UInt8]? {
        var buffer: UInt64 = 0
        var bits = 0
        var out: [UInt8] = []
        for c in text.uppercased().utf8 {
            if c == UInt8(ascii: " ") || c == UInt8(ascii: "-") || c == UInt8(ascii: "=") { continue }
            guard let v = alphabet.firstIndex(of: c) else { return nil }
            buffer = (buffer << 5) | UInt64(v)
            bits += 5
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: buffer >> UInt64(bits)))
            }
        }
        return out
    }

    public static func encode(_ bytes: [UInt8]) -> String {
        var out = ""
        var buffer: UInt64 = 0
        var bits = 0
        for b in bytes {
            buffer = (buffer << 8) | UInt64(b)
            bits += 8
            while bits >= 5 {
                bits -= 5
                out.unicodeScalars.append(Unicode.Scalar(alphabet[Int((buffer >> UInt64(bits)) & 31)]))
            }
        }
        if bits > 0 { out.unicodeScalars.append(Unicode.Scalar(alphabet[Int((buffer << UInt64(5 - bits)) & 31)])) }
        return out
    }
}

enum ConstantTime {
    /// Compares without stopping at the first difference (length is not secret).
    static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var diff: UInt8 = 0
        for i in a.indices { diff |= a[i] ^ b[i] }
        return diff == 0
    }
}
