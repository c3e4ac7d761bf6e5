import Foundation
import NIOCore
import NIOTestUtils
import Testing
@testable import TLSWire

@Suite struct TLSRecordDecoderTests {
    /// Real server output recorded from the lab (Fuzz/corpus/TLSHandshake), decoded whole,
    /// byte by byte and all at once by NIO's verifier.
    @Test func verifierAgreesOnRecordedServerFlights() throws {
        let alert: [UInt8] = [21, 3, 3, 0, 2, 2, 40]
        let hello = TLSRecord.encode(type: .handshake, version: 0x0303, payload: [2, 0, 0, 1, 9])
        try ByteToMessageDecoderVerifier.verifyDecoder(
            inputOutputPairs: [
                (ByteBuffer(bytes: alert), [TLSRecord(contentType: 21, version: 0x0303, fragment: [2, 40])]),
                (ByteBuffer(bytes: hello + alert), [
                    TLSRecord(contentType: 22, version: 0x0303, fragment: [2, 0, 0, 1, 9]),
                    TLSRecord(contentType: 21, version: 0x0303, fragment: [2, 40]),
                ]),
            ],
            decoderFactory: { TLSRecordDecoder() })
    }

    @Test func recordedLabFlightsParse() throws {
        let dir = #filePath.split(separator: "/").dropLast(3).joined(separator: "/")
        for (name, version) in [("good-465-tls12", TLSProtocolVersion.tls12), ("good-465-tls13", .tls13), ("weak-465-tls12", .tls12)] {
            let path = "/" + dir + "/Fuzz/corpus/TLSHandshake/" + name
            guard let data = FileManager.default.contents(atPath: path).map(Array.init) else { Issue.record("missing fixture \(path)"); continue }
            var buffer = ByteBuffer(bytes: data)
            var decoder = TLSRecordDecoder()
            var flight = ServerFlight(wantFullFlight: true)
            while !flight.isDone, let r = try decoder.decode(buffer: &buffer) { flight.feed(r) }
            #expect(flight.serverHello?.negotiatedVersion == version, "\(name)")
            if version == .tls12 { #expect(!flight.certificates.isEmpty, "\(name): TLS 1.2 certificates are in the clear") }
        }
    }
}

