import FuzzSupport
import MailWire
import NIOCore

/// Feeds arbitrary bytes to `IMAPResponseDecoder` (literals included) in two chunks, then EOF.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data, size > 0 else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let split = min(Int(bytes[0]), bytes.count)
    var decoder = IMAPResponseDecoder(limits: MailWireLimits(maxLineLength: 512, maxResponseBytes: 2048, maxLiteral: 1024))
    var buffer = ByteBuffer(bytes: bytes[..<split])
    func use(_ r: IMAPResponse) {
        _ = r.status
        _ = r.responseCode
        _ = r.statusText
        _ = r.keyword
        _ = r.number
        _ = IMAPCapabilities(response: r)?.authMechanisms
        precondition(r.literals.reduce(0) { $0 + $1.count } <= 2048)
    }
    do {
        while let r = try decoder.decode(buffer: &buffer) { use(r) }
        buffer.writeBytes(bytes[split...])
        while let r = try decoder.decode(buffer: &buffer) { use(r) }
        while let r = try decoder.decodeLast(buffer: &buffer, seenEOF: true) { use(r) }
    } catch is MailWireDecodingError {
    } catch {
        preconditionFailure("untyped error \(error)")
    }
    return 0
}

@main struct Main { static func main() { FuzzDriver.run(fuzzInput) } }
