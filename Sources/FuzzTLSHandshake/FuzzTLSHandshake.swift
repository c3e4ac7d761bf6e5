import FuzzSupport
import NIOCore
import TLSWire

/// Feeds arbitrary bytes through the record decoder into `ServerFlight` (ServerHello, HRR,
/// Certificate, ServerKeyExchange, Alert parsers) and `TLSSessionCapture` (NewSessionTicket),
/// in two chunks split at the first byte's value, and also straight into the message parsers.
/// Only typed errors may come out.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data, size > 0 else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let split = min(Int(bytes[0]), bytes.count)
    var decoder = TLSRecordDecoder()
    var flight = ServerFlight(wantFullFlight: bytes[0] & 1 == 1, maxHandshakeBytes: 16 * 1024)
    var buffer = ByteBuffer(bytes: bytes[..<split])
    var capture = TLSSessionCapture(maxHandshakeBytes: 16 * 1024)
    var all = ByteBuffer(bytes: bytes)
    var captureDecoder = TLSRecordDecoder()
    while !capture.isDone, let record = try? captureDecoder.decode(buffer: &all) { capture.feed(record) }
    _ = capture.ticket?.count
    do {
        while !flight.isDone, let record = try decoder.decode(buffer: &buffer) {
            precondition(record.fragment.count <= TLSRecord.maxFragment)
            flight.feed(record)
        }
        buffer.writeBytes(bytes[split...])
        while !flight.isDone, let record = try decoder.decode(buffer: &buffer) { flight.feed(record) }
    } catch is TLSWireError {
        // Typed rejection is the expected outcome for malformed input.
    } catch {
        preconditionFailure("untyped error \(error)")
    }
    if let sh = flight.serverHello {
        _ = sh.negotiatedVersion
        _ = sh.keyShareGroup
        _ = IANATables.suiteName(sh.cipherSuite)
        _ = CipherSuiteTraits(name: IANATables.suiteName(sh.cipherSuite)).isAEAD
    }
    _ = try? ServerHello.parse(bytes)
    _ = try? ServerFlight.parseCertificateList(bytes)
    _ = try? TLSAlert.parse(bytes)
    _ = try? TLSSessionCapture.parseNewSessionTicket(bytes)
    return 0
}

@main struct Main {
    static func main() { FuzzDriver.run(fuzzInput) }
}
