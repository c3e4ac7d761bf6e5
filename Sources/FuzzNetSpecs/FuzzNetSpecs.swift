import Diagnosis
import DNSWire
import FuzzSupport

/// The parsers and classifiers of `mxray path`, `split` and `dnsbl` on arbitrary bytes: the
/// HOST[:PORT] and LABEL=RESOLVER parsers must return a value or a typed error, and a DNS block
/// list's reply (decoded from the bytes as a DNS message) must classify without crashing.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data, size > 0 else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: min(size, 4096)))
    let text = String(decoding: bytes, as: UTF8.self)
    _ = try? PathTarget.parse(text)
    _ = try? ViewSpec.parse(text)
    let zone = DNSBLZone.defaults[0]
    if let message = try? DNSMessage(decoding: bytes) {
        let addresses = message.answers.compactMap { if case .a(let ip) = $0.data { ip } else { nil } }
        _ = zone.classify(addresses)
        _ = DNSBLZone.named(zone.name).classify(addresses)
        for rr in message.answers { _ = zone.queryName(for: .v4(UInt32(truncatingIfNeeded: rr.ttl))) }
    }
    return 0
}

@main struct Main { static func main() { FuzzDriver.run(fuzzInput) } }
