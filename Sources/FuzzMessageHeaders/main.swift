import FuzzSupport
import MailAuth

/// The header block parser, Received parser and date parser on arbitrary bytes: any input must
/// give a header or a typed `MessageParseError`, never a crash, a hang or unbounded memory.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data, size > 0 else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: min(size, 65_536)))
    if let h = try? MessageHeader.parse(bytes, limits: .init(maxHeaderBytes: 32_768, maxFields: 200)) {
        for r in h.receivedChain { _ = r.tls.used; _ = r.authenticated; _ = r.date?.iso8601 }
        _ = h.date
        _ = h.authenticationResults
    }
    let text = String(decoding: bytes, as: UTF8.self)
    _ = ReceivedHeader.parse(text)
    _ = try? MailDate.parse(text)
    return 0
}

@main struct Main { static func main() { FuzzDriver.run(fuzzInput) } }
