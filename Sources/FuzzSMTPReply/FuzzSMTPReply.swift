import FuzzSupport
import MailWire
import NIOCore

/// Feeds arbitrary bytes to `SMTPReplyDecoder` in two chunks (split at the first byte's value)
/// and then as EOF. It must return replies or typed errors, never crash or loop.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data, size > 0 else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let split = min(Int(bytes[0]), bytes.count)
    var decoder = SMTPReplyDecoder(limits: MailWireLimits(maxLineLength: 512, maxResponseBytes: 2048, maxLiteral: 512))
    var buffer = ByteBuffer(bytes: bytes[..<split])
    do {
        while let reply = try decoder.decode(buffer: &buffer) {
            precondition((200...599).contains(reply.code) && !reply.lines.isEmpty)
            _ = SMTPCapabilities(ehloReply: reply).authMechanisms
            _ = ServerFingerprint.identify(reply.text)
            _ = SMTPObservation.answersAddressQuery(reply)
        }
        buffer.writeBytes(bytes[split...])
        while let reply = try decoder.decode(buffer: &buffer) { _ = reply.text }
        while let reply = try decoder.decodeLast(buffer: &buffer, seenEOF: true) { _ = reply.wireLines }
    } catch is MailWireDecodingError {
        // Typed rejection is the expected outcome for malformed input.
    } catch {
        preconditionFailure("untyped error \(error)")
    }
    return 0
}

@main struct Main { static func main() { FuzzDriver.run(fuzzInput) } }
