import DNSWire
import FuzzSupport
import MailAuth

/// The SPF record parser and macro expander on arbitrary bytes: any input must give a record or
/// a typed `SPFSyntaxError`, never a crash or a hang.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data, size > 0 else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: min(size, 8192)))
    let text = String(decoding: bytes, as: UTF8.self)
    _ = SPFRecord.isSPF(bytes)
    if let record = try? SPFRecord.parse(text) {
        let ctx = SPFMacroContext(sender: "user@example.com", localPart: "user", senderDomain: "example.com",
                                  domain: "example.com", ip: .v4(0xC0000201), helo: "mail.example.com",
                                  receiver: "mx.example.org", timestamp: 0)
        for t in record.terms {
            if case .modifier(_, let m) = t.kind { _ = m.expand(ctx) }
        }
        _ = SPFLint.lint(text)
    }
    _ = try? SPFMacroString.parse(text, explanation: true)
    return 0
}

@main struct Main { static func main() { FuzzDriver.run(fuzzInput) } }
