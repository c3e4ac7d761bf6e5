import FuzzSupport
import MailAuth

/// The tag-list parser, the DKIM key-record parser (base64, DER key size, Ed25519 key) and the
/// canonicalisers on arbitrary bytes: typed errors only, never a crash or a hang.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data, size > 0 else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: min(size, 8192)))
    let text = String(decoding: bytes, as: UTF8.self)
    _ = try? TagList.parse(text)
    if let k = try? DKIMKeyRecord.parse(text) { _ = k.keySize; _ = k.problems }
    _ = Base64.decode(text)
    _ = DKIMVerifier.canonicalBodyForTesting(bytes, .relaxed)
    _ = DKIMVerifier.canonicalBodyForTesting(bytes, .simple)
    _ = DKIMVerifier.canonicalHeaderForTesting(text, .relaxed)
    return 0
}

@main struct Main { static func main() { FuzzDriver.run(fuzzInput) } }
