import FuzzSupport
import MailWire
import NIOCore

/// Feeds arbitrary bytes to `POP3ResponseDecoder`; bit 0 of the first byte says whether the
/// first response is expected multi-line (as after CAPA), the rest splits the input in two.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data, size > 0 else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let split = min(Int(bytes[0] >> 1), bytes.count)
    var decoder = POP3ResponseDecoder(limits: MailWireLimits(maxLineLength: 512, maxResponseBytes: 2048, maxLiteral: 512))
    if bytes[0] & 1 == 1 { decoder.expectMultiLine() }
    var buffer = ByteBuffer(bytes: bytes[1..<max(1, split)])
    func use(_ r: POP3Response) {
        _ = r.apopTimestamp
        _ = r.responseCode
        _ = POP3Capabilities(capaResponse: r).saslMechanisms
    }
    do {
        while let r = try decoder.decode(buffer: &buffer) { use(r) }
        buffer.writeBytes(bytes[max(1, split)...])
        while let r = try decoder.decode(buffer: &buffer) { use(r) }
        while let r = try decoder.decodeLast(buffer: &buffer, seenEOF: true) { use(r) }
    } catch is MailWireDecodingError {
    } catch {
        preconditionFailure("untyped error \(error)")
    }
    return 0
}

@main struct Main { static func main() { FuzzDriver.run(fuzzInput) } }
