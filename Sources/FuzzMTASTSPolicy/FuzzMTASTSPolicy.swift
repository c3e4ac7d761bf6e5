import FuzzSupport
import MailAuth
import MailCore

/// The MTA-STS policy and TXT parsers, TLS-RPT and BIMI records on arbitrary bytes: typed errors
/// only, never a crash or a hang.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data, size > 0 else { return 0 }
    let text = String(decoding: UnsafeBufferPointer(start: data, count: min(size, 70_000)), as: UTF8.self)
    if let p = try? MTASTSPolicy.parse(text) {
        _ = p.covers(DomainName(uncheckedLabels: ["mx", "example", "com"]))
    }
    _ = try? MTASTSRecord.parse(text)
    _ = try? TLSRPTRecord.parse(text)
    _ = try? BIMIRecord.parse(text)
    return 0
}

@main struct Main { static func main() { FuzzDriver.run(fuzzInput) } }
