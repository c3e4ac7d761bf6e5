import Foundation

/// A C2SP signed note (https://c2sp.org/signed-note): UTF-8 text ending in a newline, a blank
/// line, then one line per signature: "— <key name> <base64(key id (4 bytes, big-endian) || signature)>".
public struct SignedNote: Sendable, Equatable {
    public struct Signature: Sendable, Equatable {
        public var name: String
        public var keyID: UInt32
        public var signature: [UInt8]
    }

    public enum ParseError: Error, Equatable, CustomStringConvertible {
        case malformed(String)
        public var description: String { switch self { case .malformed(let s): "malformed signed note: \(s)" } }
    }

    /// The signed text, ending in "\n".
    public var text: String
    public var signatures: [Signature]

    /// C2SP signed-note: the signature line prefix, U+2014 EM DASH and a space.
    static let dash = "\u{2014} "
    /// Bounds that keep a hostile note from costing memory: text and signature count.
    static let maxBytes = 1 << 20, maxSignatures = 100

    public static func sign(text: String, with key: NoteSignerKey) throws -> SignedNote {
        guard text.hasSuffix("\n") else { throw ParseError.malformed("the text must end in a newline") }
        let sig = try key.sign(Array(text.utf8))
        return SignedNote(text: text, signatures: [Signature(name: key.name, keyID: key.verifier.keyID, signature: sig)])
    }

    public var encoded: String {
        var s = text + "\n"
        for sig in signatures {
            var blob = [UInt8(sig.keyID >> 24), UInt8(sig.keyID >> 16 & 0xFF), UInt8(sig.keyID >> 8 & 0xFF), UInt8(sig.keyID & 0xFF)]
            blob += sig.signature
            s += Self.dash + sig.name + " " + Data(blob).base64EncodedString() + "\n"
        }
        return s
    }

    public init(text: String, signatures: [Signature]) {
        self.text = text
        self.signatures = signatures
    }

    /// Parses a note: the text is everything up to the last blank line; every line after it must
    /// be a well-formed signature line.
    public init(parsing bytes: [UInt8]) throws(ParseError) {
        guard bytes.count <= Self.maxBytes else { throw .malformed("larger than \(Self.maxBytes) bytes") }
        guard let all = String(validating: bytes, as: UTF8.self) else { throw .malformed("not UTF-8") }
        guard !all.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\n" }) else { throw .malformed("control characters") }
        guard let split = all.range(of: "\n\n", options: .backwards) else { throw .malformed("no blank line before the signatures") }
        text = String(all[..<split.lowerBound]) + "\n"
        let sigText = all[split.upperBound...]
        guard sigText.hasSuffix("\n") else { throw .malformed("the last signature line has no newline") }
        var sigs: [Signature] = []
        for line in sigText.dropLast().split(separator: "\n", omittingEmptySubsequences: false) {
            guard line.hasPrefix(Self.dash) else { throw .malformed("a signature line does not start with an em dash and a space") }
            let rest = line.dropFirst(Self.dash.count).split(separator: " ", omittingEmptySubsequences: false)
            guard rest.count == 2, validKeyName(String(rest[0])) else { throw .malformed("a signature line is not \"— name signature\"") }
            guard let blob = Data(base64Encoded: String(rest[1])), blob.count > 4 else { throw .malformed("a signature is not base64 of a key id and signature") }
            let b = Array(blob)
            let id = UInt32(b[0]) << 24 | UInt32(b[1]) << 16 | UInt32(b[2]) << 8 | UInt32(b[3])
            sigs.append(Signature(name: String(rest[0]), keyID: id, signature: Array(b[4...])))
            guard sigs.count <= Self.maxSignatures else { throw .malformed("more than \(Self.maxSignatures) signatures") }
        }
        guard !sigs.isEmpty else { throw .malformed("no signatures") }
        signatures = sigs
    }

    /// True when a signature by this key (same name and key id) verifies over the text.
    public func isSigned(by key: NoteVerifierKey) -> Bool {
        signatures.contains { $0.name == key.name && $0.keyID == key.keyID && key.isValidSignature($0.signature, for: Array(text.utf8)) }
    }
}

/// A transparency log checkpoint (https://c2sp.org/tlog-checkpoint): origin line, decimal tree
/// size, base64 root hash, then optional extension lines; signed as a C2SP note.
public struct Checkpoint: Sendable, Equatable {
    public var origin: String
    public var size: UInt64
    public var root: MerkleHash
    public var extensions: [String]

    public init(origin: String, size: UInt64, root: MerkleHash, extensions: [String] = []) {
        self.origin = origin
        self.size = size
        self.root = root
        self.extensions = extensions
    }

    public var body: String {
        ([origin, String(size), Data(root).base64EncodedString()] + extensions).joined(separator: "\n") + "\n"
    }

    /// Parses a checkpoint body (the note text).
    public init(body: String) throws(SignedNote.ParseError) {
        guard body.hasSuffix("\n") else { throw .malformed("the checkpoint does not end in a newline") }
        let lines = body.dropLast().split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count >= 3, !lines[0].isEmpty else { throw .malformed("a checkpoint has an origin, a size and a root hash") }
        // tlog-checkpoint: the size is ASCII decimal without leading zeros.
        guard let n = UInt64(lines[1]), String(n) == lines[1] else { throw .malformed("the tree size is not a decimal number") }
        guard let r = Data(base64Encoded: String(lines[2])), r.count == 32 else { throw .malformed("the root hash is not base64 of 32 bytes") }
        guard !lines[3...].contains(where: \.isEmpty) else { throw .malformed("an empty extension line") }
        origin = String(lines[0]); size = n; root = Array(r); extensions = lines[3...].map(String.init)
    }
}
