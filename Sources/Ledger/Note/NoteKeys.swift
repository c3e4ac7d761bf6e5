import Crypto
import Foundation

/// Ed25519 keys for C2SP signed notes (https://c2sp.org/signed-note), in the text encodings that
/// golang.org/x/mod/sumdb/note and the transparency-dev tools read:
/// verifier key `<name>+<hex key id>+<base64(0x01 || public key)>`,
/// signer key `PRIVATE+KEY+<name>+<hex key id>+<base64(0x01 || seed)>`.
public enum NoteKeyError: Error, Equatable, CustomStringConvertible {
    case badName(String)
    case malformed(String)

    public var description: String {
        switch self {
        case .badName(let n): "key name \"\(n)\" is empty or contains whitespace or '+' (C2SP signed-note)"
        case .malformed(let why): "not a signed-note key: \(why)"
        }
    }
}

/// Signature type byte for Ed25519 in C2SP signed-note.
let ed25519Type: UInt8 = 0x01

/// C2SP signed-note: a key name is non-empty UTF-8 without Unicode whitespace or '+'.
func validKeyName(_ name: String) -> Bool {
    !name.isEmpty && !name.unicodeScalars.contains { $0 == "+" || $0.properties.isWhitespace }
}

/// C2SP signed-note key ID: the first four bytes of SHA-256(name || 0x0A || type || public key),
/// read as a big-endian uint32.
func noteKeyID(name: String, publicKey: [UInt8]) -> UInt32 {
    var h = SHA256()
    h.update(data: Array(name.utf8) + [0x0A, ed25519Type] + publicKey)
    let d = Array(h.finalize())
    return UInt32(d[0]) << 24 | UInt32(d[1]) << 16 | UInt32(d[2]) << 8 | UInt32(d[3])
}

func hex8(_ v: UInt32) -> String {
    let s = String(v, radix: 16)
    return String(repeating: "0", count: 8 - s.count) + s
}

public struct NoteVerifierKey: Sendable, Equatable {
    public let name: String
    public let keyID: UInt32
    public let publicKey: [UInt8]

    public init(name: String, publicKey: [UInt8]) throws(NoteKeyError) {
        guard validKeyName(name) else { throw .badName(name) }
        guard publicKey.count == 32 else { throw .malformed("an Ed25519 public key is 32 bytes") }
        self.name = name
        self.publicKey = publicKey
        self.keyID = noteKeyID(name: name, publicKey: publicKey)
    }

    /// Parses `<name>+<hex key id>+<base64(0x01 || key)>` and checks the key id.
    public init(parsing text: String) throws(NoteKeyError) {
        let parts = text.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "+", maxSplits: 2, omittingEmptySubsequences: false)  // the base64 key may contain "+"
        guard parts.count == 3 else { throw .malformed("expected name+keyid+key") }
        guard let raw = Data(base64Encoded: String(parts[2])), raw.count == 33, raw.first == ed25519Type else {
            throw .malformed("the key is not base64 of 0x01 and 32 bytes (only Ed25519 is supported)")
        }
        try self.init(name: String(parts[0]), publicKey: Array(raw.dropFirst()))
        guard parts[1].count == 8, UInt32(parts[1], radix: 16) == keyID else { throw .malformed("the key id does not match the name and key") }
    }

    public var encoded: String { "\(name)+\(hex8(keyID))+\(Data([ed25519Type] + publicKey).base64EncodedString())" }

    public func isValidSignature(_ signature: [UInt8], for message: [UInt8]) -> Bool {
        guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: publicKey) else { return false }
        return key.isValidSignature(signature, for: message)
    }
}

public struct NoteSignerKey: Sendable {
    public let name: String
    /// The 32-byte Ed25519 seed (kept as bytes: the Crypto key type is not Sendable).
    let seed: [UInt8]
    public let verifier: NoteVerifierKey

    public init(name: String, seed: [UInt8]) throws(NoteKeyError) {
        guard seed.count == 32, let k = try? Curve25519.Signing.PrivateKey(rawRepresentation: seed) else {
            throw .malformed("an Ed25519 seed is 32 bytes")
        }
        self.name = name
        self.seed = seed
        self.verifier = try NoteVerifierKey(name: name, publicKey: Array(k.publicKey.rawRepresentation))
    }

    /// A new random key.
    public static func generate(name: String) throws(NoteKeyError) -> NoteSignerKey {
        try NoteSignerKey(name: name, seed: Array(Curve25519.Signing.PrivateKey().rawRepresentation))
    }

    /// Parses `PRIVATE+KEY+<name>+<hex key id>+<base64(0x01 || seed)>`.
    public init(parsing text: String) throws(NoteKeyError) {
        let parts = text.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "+", maxSplits: 4, omittingEmptySubsequences: false)
        guard parts.count == 5, parts[0] == "PRIVATE", parts[1] == "KEY" else { throw .malformed("expected PRIVATE+KEY+name+keyid+key") }
        guard let raw = Data(base64Encoded: String(parts[4])), raw.count == 33, raw.first == ed25519Type else {
            throw .malformed("the key is not base64 of 0x01 and a 32-byte seed (only Ed25519 is supported)")
        }
        try self.init(name: String(parts[2]), seed: Array(raw.dropFirst()))
        guard parts[3].count == 8, UInt32(parts[3], radix: 16) == verifier.keyID else { throw .malformed("the key id does not match the name and key") }
    }

    public var encoded: String {
        "PRIVATE+KEY+\(name)+\(hex8(verifier.keyID))+\(Data([ed25519Type] + seed).base64EncodedString())"
    }

    public func sign(_ message: [UInt8]) throws -> [UInt8] {
        Array(try Curve25519.Signing.PrivateKey(rawRepresentation: seed).signature(for: message))
    }
}
