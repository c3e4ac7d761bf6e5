import Foundation
import Testing
@testable import MXRayServer

/// RFC 6238 Appendix B: the seeds are the ASCII strings "1234567890" repeated to the hash size.
struct TOTPTests {
    static let seed20 = Array("12345678901234567890".utf8)
    static let seed32 = Array("12345678901234567890123456789012".utf8)
    static let seed64 = Array("1234567890123456789012345678901234567890123456789012345678901234".utf8)

    static let vectors: [(time: TimeInterval, sha1: String, sha256: String, sha512: String)] = [
        (59, "94287082", "46119246", "90693936"),
        (1_111_111_109, "07081804", "68084774", "25091201"),
        (1_111_111_111, "14050471", "67062674", "99943326"),
        (1_234_567_890, "89005924", "91819424", "93441116"),
        (2_000_000_000, "69279037", "90698825", "38618901"),
        (20_000_000_000, "65353130", "77737706", "47863826"),
    ]

    @Test func rfc6238AppendixBVectors() {
        let sha1 = TOTPGenerator(key: Self.seed20, digits: 8, algorithm: .sha1)
        let sha256 = TOTPGenerator(key: Self.seed32, digits: 8, algorithm: .sha256)
        let sha512 = TOTPGenerator(key: Self.seed64, digits: 8, algorithm: .sha512)
        for v in Self.vectors {
            let d = Date(timeIntervalSince1970: v.time)
            #expect(sha1.code(at: d) == v.sha1, "SHA1 at \(v.time)")
            #expect(sha256.code(at: d) == v.sha256, "SHA256 at \(v.time)")
            #expect(sha512.code(at: d) == v.sha512, "SHA512 at \(v.time)")
        }
    }

    @Test func counterIsTimeOverStep() {
        let t = TOTPGenerator(key: Self.seed20)
        // RFC 6238 Appendix B table: T for 1111111109 is 0x23523EC.
        #expect(t.counter(at: Date(timeIntervalSince1970: 1_111_111_109)) == 0x23523EC)
    }

    @Test func acceptsOneStepEitherSideOnly() {
        let t = TOTPGenerator(key: Self.seed20)
        let now = Date(timeIntervalSince1970: 1_234_567_890)
        let c = t.counter(at: now)
        #expect(t.matchingCounter(t.code(counter: c), at: now) == c)
        #expect(t.matchingCounter(t.code(counter: c - 1), at: now) == c - 1)
        #expect(t.matchingCounter(t.code(counter: c + 1), at: now) == c + 1)
        #expect(t.matchingCounter(t.code(counter: c - 2), at: now) == nil)
        #expect(t.matchingCounter(t.code(counter: c + 2), at: now) == nil)
        #expect(t.matchingCounter("12345", at: now) == nil)
        #expect(t.matchingCounter("abcdef", at: now) == nil)
    }

    @Test func replayOfAUsedStepIsRefused() async {
        let guardian = TOTPReplayGuard()
        #expect(await guardian.consume(user: "ann", counter: 100))
        #expect(await guardian.consume(user: "ann", counter: 100) == false)
        // An earlier step (still inside the ±1 window) is refused once a later one was used.
        #expect(await guardian.consume(user: "ann", counter: 99) == false)
        #expect(await guardian.consume(user: "ann", counter: 101))
        #expect(await guardian.consume(user: "bob", counter: 100))
    }

    /// RFC 4648 §10 test vectors.
    @Test func base32() {
        let pairs = [("", ""), ("f", "MY"), ("fo", "MZXQ"), ("foo", "MZXW6"), ("foob", "MZXW6YQ"),
                     ("fooba", "MZXW6YTB"), ("foobar", "MZXW6YTBOI")]
        for (plain, encoded) in pairs {
            #expect(Base32.encode(Array(plain.utf8)) == encoded)
            #expect(Base32.decode(encoded + "======") == Array(plain.utf8))
            #expect(Base32.decode(encoded.lowercased()) == Array(plain.utf8))
        }
        #expect(Base32.decode("MZ1W") == nil)
        #expect(TOTPGenerator(base32Secret: "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")?.key == Self.seed20)
    }
}
