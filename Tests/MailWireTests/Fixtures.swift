import Foundation
import NIOCore
import Testing
@testable import MailWire

/// Server bytes recorded from the lab's Postfix and Dovecot (`Tests/Fixtures/transcripts`).
enum Fixture {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/transcripts")

    static func bytes(_ name: String) throws -> [UInt8] {
        let url = directory.appendingPathComponent(name)
        return Array(try Data(contentsOf: url))
    }
}

/// Feeds `input` to a fresh decoder in the three ways ByteToMessageDecoderVerifier does by
/// default — all at once, one byte at a time, and in odd-sized chunks — plus EOF, and checks
/// that every way yields the same messages.
func decodeAllWays<D: NIOSingleStepByteToMessageDecoder>(
    _ input: [UInt8], make: () -> D
) throws -> [D.InboundOut] where D.InboundOut: Equatable {
    func run(chunk: Int) throws -> [D.InboundOut] {
        var decoder = make()
        var buffer = ByteBuffer()
        var out: [D.InboundOut] = []
        var i = 0
        while i < input.count {
            buffer.writeBytes(input[i..<min(i + chunk, input.count)])
            i += chunk
            while let m = try decoder.decode(buffer: &buffer) { out.append(m) }
        }
        while let m = try decoder.decodeLast(buffer: &buffer, seenEOF: true) { out.append(m) }
        return out
    }
    let whole = try run(chunk: max(1, input.count))
    #expect(try run(chunk: 1) == whole, "byte-by-byte differs from all-at-once")
    #expect(try run(chunk: 7) == whole, "7-byte chunks differ from all-at-once")
    #expect(try run(chunk: 64) == whole, "64-byte chunks differ from all-at-once")
    return whole
}
