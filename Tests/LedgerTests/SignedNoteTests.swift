import Foundation
import Testing
@testable import Ledger

@Suite struct SignedNoteTests {
    /// The example key and note of golang.org/x/mod/sumdb/note (its package documentation), so
    /// the key id, the key encodings and the signature line format are checked against an
    /// independent implementation: PeterNeumann's key signs "If you think cryptography ...".
    static let skey = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
    static let vkey = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
    static let note = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n\n\u{2014} PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"

    @Test func readsAndVerifiesTheSumdbExample() throws {
        let signer = try NoteSignerKey(parsing: Self.skey)
        let verifier = try NoteVerifierKey(parsing: Self.vkey)
        #expect(signer.verifier == verifier)
        #expect(signer.encoded == Self.skey && verifier.encoded == Self.vkey)
        let n = try SignedNote(parsing: Array(Self.note.utf8))
        #expect(n.isSigned(by: verifier))
        // Ed25519 is deterministic: our signature over the same text is byte-identical.
        let ours = try SignedNote.sign(text: n.text, with: signer)
        #expect(ours.encoded == Self.note)
    }

    @Test func checkpointRoundTripAndTamper() throws {
        let key = try NoteSignerKey.generate(name: "example.com/log")
        let cp = Checkpoint(origin: "example.com/log", size: 42, root: Array(repeating: 0xAB, count: 32))
        let note = try SignedNote.sign(text: cp.body, with: key)
        let parsed = try SignedNote(parsing: Array(note.encoded.utf8))
        #expect(parsed.isSigned(by: key.verifier))
        #expect(try Checkpoint(body: parsed.text) == cp)
        var tampered = Array(note.encoded.utf8)
        tampered[17] ^= 0x01  // inside the size line
        if let t = try? SignedNote(parsing: tampered) { #expect(!t.isSigned(by: key.verifier)) }
    }

    @Test func rejectsMalformedNotes() {
        for bad in ["", "text\n", "text\n\n", "text\n\nsig\n", "text\n\n\u{2014} name\n", "text\n\n\u{2014} na+me AAAAAAA=\n", "a\u{01}\n\n\u{2014} n AAAAAAAA\n"] {
            #expect(throws: SignedNote.ParseError.self, "\(bad.debugDescription)") { _ = try SignedNote(parsing: Array(bad.utf8)) }
        }
        for body in ["o\n01\n" + String(repeating: "A", count: 44) + "\n", "o\n1\nAAAA\n", "\n1\nAAAA\n", "o\n1\n"] {
            #expect(throws: SignedNote.ParseError.self) { _ = try Checkpoint(body: body) }
        }
    }
}
