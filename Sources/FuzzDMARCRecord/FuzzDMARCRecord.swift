import FuzzSupport
import MailAuth

/// The DMARC record parser (both specs) on arbitrary bytes: a record with issues or a typed
/// `SyntaxError`, never a crash or a hang.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data, size > 0 else { return 0 }
    let text = String(decoding: UnsafeBufferPointer(start: data, count: min(size, 8192)), as: UTF8.self)
    for spec in [DMARCSpec.rfc7489, .rfc9989] {
        if let r = try? DMARCRecord.parse(text, spec: spec) {
            _ = r.effectivePolicy
            for i in r.issues { _ = i.description }
        }
    }
    _ = PublicSuffixList(text: text).organizationalDomain(of: .root)
    return 0
}

@main struct Main { static func main() { FuzzDriver.run(fuzzInput) } }
