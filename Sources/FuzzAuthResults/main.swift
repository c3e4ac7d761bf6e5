import FuzzSupport
import MailAuth

/// The RFC 8601 Authentication-Results parser (and its ARC-Authentication-Results form) on
/// arbitrary bytes: a value or a typed `AuthResultsParseError`, never a crash or a hang.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data, size > 0 else { return 0 }
    let text = String(decoding: UnsafeBufferPointer(start: data, count: min(size, 65_536)), as: UTF8.self)
    if let ar = try? AuthenticationResults.parse(text) {
        for r in ar.results { _ = r.property("header", "d") }
        _ = ar.result("dkim")
    }
    _ = try? AuthenticationResults.parseARC(text)
    return 0
}

@main struct Main { static func main() { FuzzDriver.run(fuzzInput) } }
