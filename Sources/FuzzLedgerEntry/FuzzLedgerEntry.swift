import FuzzSupport
import Ledger

/// The ledger record decoder, file scanner and signed-note parser on arbitrary bytes: any input
/// must give records, a torn tail or a typed corruption reason — never a crash, a hang, or an
/// allocation beyond the input's size.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data, size > 0 else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    // As a record stream after a file header, and as a whole file.
    let scan = LedgerScan(LedgerRecord.fileHeader + bytes)
    _ = LedgerScan(bytes)
    // Every intact record must re-encode to the same bytes it was read from.
    for s in scan.entries {
        let again = LedgerRecord.entry(s.entry, rootAfter: s.rootAfter).encoded
        if case .record(let r, _) = LedgerRecordDecoder.decode(again, at: 0), r != .entry(s.entry, rootAfter: s.rootAfter) {
            fatalError("entry does not round-trip")
        }
    }
    _ = LedgerVerification.verify(scan, key: nil)
    if let note = try? SignedNote(parsing: bytes) { _ = try? Checkpoint(body: note.text) }
    return 0
}

@main struct Main { static func main() { FuzzDriver.run(fuzzInput) } }
