import Diagnosis
import FuzzSupport

/// Feeds arbitrary bytes to the round trip's header reader, Received-chain and
/// Authentication-Results parsers. They must return values within their bounds, never crash or loop.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data, size > 0 else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let fields = HeaderSection.parse(bytes)
    precondition(fields.count <= HeaderSection.maxFields)
    for f in fields { precondition(f.value.count <= HeaderSection.maxValue && !f.name.isEmpty) }
    let hops = ReceivedHop.chain(fields)
    precondition(hops.count <= 100)
    for h in hops { _ = (h.from, h.by, h.with, h.date, h.tls) }
    for ar in AuthenticationResults.all(fields) { precondition(ar.methods.count <= 50) }
    // The same text as one field value.
    let text = String(decoding: bytes, as: UTF8.self)
    _ = ReceivedHop(text)
    _ = AuthenticationResults(text)
    _ = HeaderSection.strippingComments(text)
    return 0
}

@main struct Main { static func main() { FuzzDriver.run(fuzzInput) } }
